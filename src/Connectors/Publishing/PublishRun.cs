using System.Threading.Channels;
using SharingHub.Connectors.Reporting;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Connectors.Publishing;

/// <summary>Tuning of a publish run.</summary>
internal sealed record PublishRunOptions
{
    /// <summary>Records per batch message. Batching is what makes the throughput: one confirm per batch.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Batches published and awaiting their confirm at the same time.</summary>
    public int InFlight { get; init; } = 8;

    /// <summary>Rows up to this index were confirmed by an earlier run: read and checked, not re-sent.</summary>
    public long ResumeAfterRow { get; init; }

    /// <summary>Check and report only; publish nothing.</summary>
    public bool DryRun { get; init; }
}

/// <summary>Counts of a publish run.</summary>
internal sealed class PublishCounts
{
    private long _rowsRead;
    private long _recordsPublished;
    private long _recordsRejected;
    private long _rowsRejected;
    private long _rowsSkipped;
    private long _recordsValid;
    private long _valuesOmitted;

    public long RowsRead => Interlocked.Read(ref _rowsRead);
    public long RecordsPublished => Interlocked.Read(ref _recordsPublished);
    public long RecordsRejected => Interlocked.Read(ref _recordsRejected);
    /// <summary>Rows that could not be read at all (bad CSV, bad JSON, unknown canonical field).</summary>
    public long RowsRejected => Interlocked.Read(ref _rowsRejected);
    /// <summary>Rows already confirmed by an earlier run.</summary>
    public long RowsSkipped => Interlocked.Read(ref _rowsSkipped);
    /// <summary>Records that passed the sanitizer (published, or to be published).</summary>
    public long RecordsValid => Interlocked.Read(ref _recordsValid);
    /// <summary>Invalid values of opted-in optional fields left out of valid records (the mapping's <c>omitInvalid</c>).</summary>
    public long ValuesOmitted => Interlocked.Read(ref _valuesOmitted);

    /// <summary>When the first batch went to the broker, and when the last confirm came back.</summary>
    public DateTimeOffset? FirstPublishAt { get; internal set; }
    public DateTimeOffset? LastConfirmAt { get; internal set; }

    internal void RowRead() => Interlocked.Increment(ref _rowsRead);
    internal void RowRejected() => Interlocked.Increment(ref _rowsRejected);
    internal void RowSkipped() => Interlocked.Increment(ref _rowsSkipped);
    internal void RecordRejected() => Interlocked.Increment(ref _recordsRejected);
    internal void RecordValid() => Interlocked.Increment(ref _recordsValid);
    internal void ValueOmitted() => Interlocked.Increment(ref _valuesOmitted);
    internal void Published(int records) => Interlocked.Add(ref _recordsPublished, records);
}

/// <summary>
/// One pass over a source: rows are sanitized, valid records gathered into batches, batches published with a
/// window of <see cref="PublishRunOptions.InFlight"/> unconfirmed messages, and every problem written to the
/// reject report. <paramref name="onConfirmedThrough"/> is told the highest row index whose records (and
/// those of every row before it) are confirmed, for the caller to persist.
/// </summary>
internal sealed class PublishRun(
    Sanitizer sanitizer,
    IBatchPublisher? publisher,
    RejectReport report,
    PublishRunOptions options,
    Action<long> onConfirmedThrough)
{
    public PublishCounts Counts { get; } = new();

    public async Task RunAsync(IEnumerable<SourceRow> rows, CancellationToken cancellationToken)
    {
        if (publisher is null && !options.DryRun)
        {
            throw new InvalidOperationException("A publisher is required unless the run is a dry run.");
        }
        var batches = Channel.CreateBounded<PendingBatch>(new BoundedChannelOptions(options.InFlight)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var tracker = new ConfirmTracker(onConfirmedThrough);
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var publishers = Enumerable.Range(0, Math.Max(1, options.InFlight))
            .Select(_ => Task.Run(() => PublishLoopAsync(batches.Reader, tracker, failure.Token), CancellationToken.None))
            .ToList();
        var producer = Task.Run(async () =>
        {
            try
            {
                await ProduceAsync(rows, batches.Writer, failure.Token);
                batches.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                batches.Writer.TryComplete(ex);
                throw;
            }
        }, CancellationToken.None);

        var all = publishers.Append(producer).ToList();
        while (all.Count > 0)
        {
            var done = await Task.WhenAny(all);
            all.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                // One failure (a refusal, Ctrl+C) stops the others; what was confirmed stays confirmed.
                await failure.CancelAsync();
            }
        }
        // Surface the first real error, else the cancellation.
        var faults = publishers.Append(producer).Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
            .Where(e => e is not OperationCanceledException and not ChannelClosedException).ToList();
        if (faults.Count > 0)
        {
            throw faults[0];
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task ProduceAsync(IEnumerable<SourceRow> rows, ChannelWriter<PendingBatch> writer, CancellationToken cancellationToken)
    {
        long sequence = 0;
        var batch = new BatchBuilder();
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Counts.RowRead();
            var skip = row.Index <= options.ResumeAfterRow;
            if (skip)
            {
                Counts.RowSkipped();
            }
            if (row.RowProblem is not null)
            {
                Counts.RowRejected();
                report.Add(row.Number, null, null, row.RowProblem, ReportAction.Rejected);
            }
            foreach (var source in row.Records)
            {
                var result = sanitizer.Sanitize(source);
                if (!result.IsValid)
                {
                    Counts.RecordRejected();
                    // A local id that breaks its own rule is not written to the report: it may be the hostile value.
                    var localId = result.Problems.Any(p => p.Field == Fields.LocalId) ? null : Sanitizer.Clean(source.LocalId);
                    foreach (var problem in result.Problems)
                    {
                        report.Add(row.Number, Sanitizer.Clean(source.Kind), localId, problem, ReportAction.Rejected);
                    }
                    continue;
                }
                Counts.RecordValid();
                foreach (var omission in result.Omitted)
                {
                    Counts.ValueOmitted();
                    report.Add(row.Number, Sanitizer.Clean(source.Kind), Sanitizer.Clean(source.LocalId), omission, ReportAction.Omitted);
                }
                if (!skip)
                {
                    batch.Add(result.Record!);
                }
            }
            batch.LastRow = row.Index;
            if (batch.Count >= options.BatchSize)
            {
                await writer.WriteAsync(batch.Build(sequence++), cancellationToken);
                batch = new BatchBuilder();
            }
        }
        if (batch.Count > 0 || batch.LastRow > 0)
        {
            await writer.WriteAsync(batch.Build(sequence), cancellationToken);
        }
    }

    private async Task PublishLoopAsync(ChannelReader<PendingBatch> reader, ConfirmTracker tracker, CancellationToken cancellationToken)
    {
        await foreach (var pending in reader.ReadAllAsync(cancellationToken))
        {
            if (pending.Records > 0 && !options.DryRun)
            {
                lock (Counts)
                {
                    Counts.FirstPublishAt ??= DateTimeOffset.UtcNow;
                }
                await publisher!.PublishAsync(pending.Message, cancellationToken);
                lock (Counts)
                {
                    Counts.LastConfirmAt = DateTimeOffset.UtcNow;
                }
                Counts.Published(pending.Records);
            }
            tracker.Confirmed(pending.Sequence, pending.LastRow);
        }
    }

    private sealed record PendingBatch(long Sequence, long LastRow, int Records, RecordBatchPublished Message);

    private sealed class BatchBuilder
    {
        private readonly List<PersonRecordPublished> _persons = [];
        private readonly List<PhoneRecordPublished> _phones = [];
        private readonly List<LocationRecordPublished> _locations = [];
        private readonly List<RecordWithdrawn> _withdrawals = [];

        public long LastRow { get; set; }

        public int Count => _persons.Count + _phones.Count + _locations.Count + _withdrawals.Count;

        public void Add(object record)
        {
            switch (record)
            {
                case PersonRecordPublished person: _persons.Add(person); break;
                case PhoneRecordPublished phone: _phones.Add(phone); break;
                case LocationRecordPublished location: _locations.Add(location); break;
                case RecordWithdrawn withdrawn: _withdrawals.Add(withdrawn); break;
                default: throw new ArgumentException($"Not a record: {record.GetType().Name}", nameof(record));
            }
        }

        public PendingBatch Build(long sequence) => new(sequence, LastRow, Count, new RecordBatchPublished
        {
            Persons = _persons,
            Phones = _phones,
            Locations = _locations,
            Withdrawals = _withdrawals,
        });
    }

    /// <summary>Batches confirm out of order; progress only moves over a contiguous run of confirmed ones.</summary>
    private sealed class ConfirmTracker(Action<long> onConfirmedThrough)
    {
        private readonly SortedDictionary<long, long> _waiting = [];
        private long _next;

        public void Confirmed(long sequence, long lastRow)
        {
            long? through = null;
            lock (_waiting)
            {
                _waiting[sequence] = lastRow;
                while (_waiting.Remove(_next, out var row))
                {
                    through = row;
                    _next++;
                }
                if (through is not null)
                {
                    onConfirmedThrough(through.Value);
                }
            }
        }
    }
}
