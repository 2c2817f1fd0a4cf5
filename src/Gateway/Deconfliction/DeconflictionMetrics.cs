using System.Diagnostics.Metrics;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>Instruments of deconfliction on the <c>SharingHub</c> meter.</summary>
internal sealed class DeconflictionMetrics
{
    private readonly Counter<long> _runs;
    private readonly Counter<long> _records;
    private readonly Counter<long> _candidates;
    private readonly Counter<long> _matches;
    private readonly Counter<long> _keysSkipped;
    private readonly Counter<long> _pruned;
    private readonly Histogram<double> _duration;

    public DeconflictionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.MeterName);
        _runs = meter.CreateCounter<long>("sharinghub.match.runs", "{run}", "Matching runs, by trigger (batch, sweep) and outcome.");
        _records = meter.CreateCounter<long>("sharinghub.match.records", "{record}", "Records matched.");
        _candidates = meter.CreateCounter<long>("sharinghub.match.candidates", "{pair}", "Candidate pairs scored.");
        _matches = meter.CreateCounter<long>("sharinghub.match.matches", "{match}", "Matches written, by outcome (found, changed, closed).");
        _keysSkipped = meter.CreateCounter<long>("sharinghub.match.keys_skipped", "{key}", "Blocking keys too common to yield candidates.");
        _pruned = meter.CreateCounter<long>("sharinghub.match.candidates_pruned", "{pair}",
            "Candidates found only through name and date keys, ranked below the per-record limit and not compared.");
        _duration = meter.CreateHistogram<double>("sharinghub.match.duration", "ms", "Time of one matching run, from its start to its commit.");
    }

    public void Run(string trigger, string outcome) =>
        _runs.Add(1, new KeyValuePair<string, object?>("trigger", trigger), new KeyValuePair<string, object?>("outcome", outcome));

    public void Completed(int records, int candidates, MatchWriteResult written, int keysSkipped, int pruned, TimeSpan elapsed)
    {
        if (pruned > 0)
        {
            _pruned.Add(pruned);
        }
        _records.Add(records);
        _candidates.Add(candidates);
        Add(_matches, written.Found, "found");
        Add(_matches, written.Changed, "changed");
        Add(_matches, written.Closed, "closed");
        if (keysSkipped > 0)
        {
            _keysSkipped.Add(keysSkipped);
        }
        _duration.Record(elapsed.TotalMilliseconds);
    }

    private static void Add(Counter<long> counter, long count, string outcome)
    {
        if (count > 0)
        {
            counter.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}

/// <summary>What one run wrote.</summary>
internal readonly record struct MatchWriteResult(int Found, int Changed, int Closed, int DeconflictionAlerts = 0, int ProtectiveAlerts = 0, int Retractions = 0)
{
    /// <summary>Person records queued for their subject cluster (ADR-010).</summary>
    public int ClustersQueued { get; init; }
}
