using System.Diagnostics.Metrics;
using SharingHub.Contracts.V1;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Records;

/// <summary>Counters of ingestion on the <c>SharingHub</c> meter.</summary>
internal sealed class IngestionMetrics
{
    private readonly Counter<long> _records;
    private readonly Counter<long> _rejectedMessages;

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.MeterName);
        _records = meter.CreateCounter<long>("sharinghub.ingest.records", "{record}",
            "Records received, by kind and outcome: stored (new or newer version), unchanged (same or older version), unknown_withdrawal (a withdrawal of a key never stored: ignored), rejected.");
        _rejectedMessages = meter.CreateCounter<long>("sharinghub.ingest.rejected", "{message}",
            "Messages or records set aside on the error queue, by reason.");
    }

    public void Stored(RecordKind kind, long count) => Add(_records, count, "stored", kind);

    public void Unchanged(long count) => _records.Add(count, new KeyValuePair<string, object?>("outcome", "unchanged"));

    /// <summary>Withdrawals of keys the agency never stored: ignored, and counted so a flood of them is visible.</summary>
    public void UnknownWithdrawals(long count)
    {
        if (count > 0)
        {
            _records.Add(count, new KeyValuePair<string, object?>("outcome", "unknown_withdrawal"));
        }
    }

    public void Rejected(string reason, long records)
    {
        _rejectedMessages.Add(1, new KeyValuePair<string, object?>("reason", reason));
        if (records > 0)
        {
            _records.Add(records, new KeyValuePair<string, object?>("outcome", "rejected"));
        }
    }

    private static void Add(Counter<long> counter, long count, string outcome, RecordKind kind)
    {
        if (count > 0)
        {
            counter.Add(count, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("kind", kind.ToString()));
        }
    }
}
