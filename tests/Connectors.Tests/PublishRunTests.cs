using System.Collections.Concurrent;
using System.Collections.Frozen;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Reporting;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Tests;

/// <summary>One pass over a source: batching, the reject report and confirmed progress, against an in-memory publisher.</summary>
public sealed class PublishRunTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<long> _confirmedThrough = [];

    public void Dispose() => _folder.Dispose();

    private static SourceRow Row(long index, params SourceRecord[] records) => new(index, index, records);

    private static IEnumerable<SourceRow> Persons(int count, int firstIndex = 1) =>
        Enumerable.Range(firstIndex, count).Select(i => Row(i, SourceRecords.Person(r => r.LocalId = $"P-{i}")));

    private PublishRun Run(IBatchPublisher? publisher, RejectReport report, PublishRunOptions options) =>
        new(new Sanitizer(SourceRecords.Settings()), publisher, report, options, through =>
        {
            lock (_confirmedThrough)
            {
                _confirmedThrough.Add(through);
            }
        });

    [Fact]
    public async Task RunAsync_ValidRows_PublishedInBatchesOfAtMostBatchSize()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions { BatchSize = 4, InFlight = 3 });

        await run.RunAsync(Persons(10), TestContext.Current.CancellationToken);

        Assert.Equal([4, 4, 2], publisher.Batches.Select(b => b.Persons.Count).OrderDescending());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"P-{i}").Order(), publisher.Batches.SelectMany(b => b.Persons).Select(p => p.LocalId).Order());
        Assert.Equal(10, run.Counts.RowsRead);
        Assert.Equal(10, run.Counts.RecordsPublished);
        Assert.Equal(0, run.Counts.RecordsRejected);
        Assert.Equal(10, _confirmedThrough.Max());
        Assert.NotNull(run.Counts.FirstPublishAt);
        Assert.True(run.Counts.LastConfirmAt >= run.Counts.FirstPublishAt);
        Assert.False(File.Exists(report.FilePath));
    }

    [Fact]
    public async Task RunAsync_OneRowWithSeveralKinds_EachKindInItsList()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var withdrawal = new SourceRecord { Kind = "location", LocalId = "L-9", Version = "2", Withdrawn = "true" };

        await Run(publisher, report, new PublishRunOptions()).RunAsync(
            [Row(1, SourceRecords.Person(), SourceRecords.Phone(), SourceRecords.Location(), withdrawal)], TestContext.Current.CancellationToken);

        var batch = Assert.Single(publisher.Batches);
        Assert.Single(batch.Persons);
        Assert.Single(batch.Phones);
        Assert.Single(batch.Locations);
        Assert.Equal("L-9", Assert.Single(batch.Withdrawals).LocalId);
    }

    [Fact]
    public async Task RunAsync_BadRowsAndRecords_ReportedAndTheRestPublished()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions { BatchSize = 2 });
        SourceRow[] rows =
        [
            Row(1, SourceRecords.Person(r => r.LocalId = "P-1")),
            Row(2, SourceRecords.Person(r => { r.LocalId = "P-2"; r.Role = "suspect"; })),
            new SourceRow(3, 4, [], new Problem("surnme", "is not a field of the canonical format")),
            Row(4, SourceRecords.Person(r => r.LocalId = "P-4"), SourceRecords.Phone("12")),
            Row(5, SourceRecords.Person(r => r.LocalId = "P-5")),
        ];

        await run.RunAsync(rows, TestContext.Current.CancellationToken);

        Assert.Equal(["P-1", "P-4", "P-5"], publisher.Batches.SelectMany(b => b.Persons).Select(p => p.LocalId).Order());
        Assert.Empty(publisher.Batches.SelectMany(b => b.Phones));
        Assert.Equal(5, run.Counts.RowsRead);
        Assert.Equal(3, run.Counts.RecordsPublished);
        Assert.Equal(2, run.Counts.RecordsRejected);
        Assert.Equal(1, run.Counts.RowsRejected);
        Assert.Equal(5, _confirmedThrough.Max());
        report.Dispose();
        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "2,person,P-2,labels.justification,required,a suspect needs a justification (28 CFR 23 reasonable suspicion),rejected",
            "4,,,surnme,unreadable,is not a field of the canonical format,rejected",
            "4,phone,T-77,number,not_a_phone,is not a phone number (read with default region US),rejected",
        ], await File.ReadAllLinesAsync(report.FilePath, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_OptedInValueInvalid_RecordPublishedReportedAsOmittedAndCounted()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions());
        SourceRow[] rows =
        [
            new(1, 2, [SourceRecords.Person(r => { r.LocalId = "P-1"; r.BirthDate = "19551192"; r.OmitInvalid = FrozenSet.ToFrozenSet(["birthDate"], StringComparer.Ordinal); })]),
            new(2, 3, [SourceRecords.Person(r => { r.LocalId = "P-2"; r.BirthDate = "19551192"; })]),
        ];

        await run.RunAsync(rows, TestContext.Current.CancellationToken);

        Assert.Null(Assert.Single(publisher.Batches.SelectMany(b => b.Persons), p => p.LocalId == "P-1").PersonBirthDate);
        Assert.Equal(1, run.Counts.RecordsPublished);
        Assert.Equal(1, run.Counts.ValuesOmitted);
        Assert.Equal(1, run.Counts.RecordsRejected);
        report.Dispose();
        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "2,person,P-1,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted",
            "3,person,P-2,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",rejected",
        ], await File.ReadAllLinesAsync(report.FilePath, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_ConfirmsOutOfOrder_ProgressOnlyOverTheConfirmedPrefix()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = new MemoryPublisher(batch => batch.Persons[0].LocalId == "P-1" ? first.Task : Task.CompletedTask);
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions { BatchSize = 1, InFlight = 4 });

        var running = run.RunAsync(Persons(4), TestContext.Current.CancellationToken);
        await publisher.WaitForAsync(4);
        await WaitForAsync(() => run.Counts.RecordsPublished == 3, "batches 2-4 confirmed");

        Assert.Empty(_confirmedThrough);
        first.SetResult();
        await running;
        // Batches 2-4 confirmed while 1 waited; once 1 confirms, progress may be told through 3 and then 4
        // (batch 4's own tracking can come last), but only ever forwards, and it ends at the last row.
        Assert.Equal(4, _confirmedThrough[^1]);
        Assert.Equal(_confirmedThrough.Order(), _confirmedThrough);
        Assert.Equal(_confirmedThrough.Count, _confirmedThrough.Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_ResumeAfterRow_EarlierRowsCheckedButNotSentAgain()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions { BatchSize = 3, ResumeAfterRow = 6 });

        await run.RunAsync(Persons(8), TestContext.Current.CancellationToken);

        Assert.Equal(["P-7", "P-8"], publisher.Batches.SelectMany(b => b.Persons).Select(p => p.LocalId).Order());
        Assert.Equal(6, run.Counts.RowsSkipped);
        Assert.Equal(8, run.Counts.RowsRead);
        Assert.Equal(2, run.Counts.RecordsPublished);
        Assert.Equal(8, _confirmedThrough.Max());
    }

    [Fact]
    public async Task RunAsync_LastRowsAllRejected_ProgressStillReachesTheLastRow()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));

        await Run(publisher, report, new PublishRunOptions { BatchSize = 2 }).RunAsync(
            [.. Persons(2), Row(3, SourceRecords.Phone("12"))], TestContext.Current.CancellationToken);

        Assert.Equal(3, _confirmedThrough.Max());
    }

    [Fact]
    public async Task RunAsync_DryRun_NothingPublishedEverythingChecked()
    {
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(null, report, new PublishRunOptions { DryRun = true });

        await run.RunAsync([.. Persons(3), Row(4, SourceRecords.Phone("12"))], TestContext.Current.CancellationToken);

        Assert.Equal(0, run.Counts.RecordsPublished);
        Assert.Equal(3, run.Counts.RecordsValid);
        Assert.Equal(1, run.Counts.RecordsRejected);
        Assert.Null(run.Counts.FirstPublishAt);
        Assert.Equal(1, report.Lines);
    }

    [Fact]
    public async Task RunAsync_NoPublisherAndNotDryRun_InvalidOperation()
    {
        using var report = new RejectReport(_folder.Combine("r.csv"));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Run(null, report, new PublishRunOptions()).RunAsync(Persons(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_BrokerRefuses_RefusalSurfacesAndProgressStopsBeforeTheRefusedBatch()
    {
        var publisher = new MemoryPublisher(batch => batch.Persons[0].LocalId == "P-21"
            ? Task.FromException(new BrokerRefusedException("the broker returned the batch"))
            : Task.CompletedTask);
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var run = Run(publisher, report, new PublishRunOptions { BatchSize = 10, InFlight = 1 });

        var error = await Assert.ThrowsAsync<BrokerRefusedException>(() => run.RunAsync(Persons(100), TestContext.Current.CancellationToken));

        Assert.Equal("the broker returned the batch", error.Message);
        Assert.Equal(20, _confirmedThrough.Max());
        Assert.Equal(20, run.Counts.RecordsPublished);
    }

    [Fact]
    public async Task RunAsync_SourceFailsHalfway_ErrorSurfacesAfterTheRowsBefore()
    {
        var publisher = new MemoryPublisher();
        using var report = new RejectReport(_folder.Combine("r.csv"));

        static IEnumerable<SourceRow> Broken()
        {
            yield return Row(1, SourceRecords.Person());
            throw new MappingException("export.json: is not a valid JSON array after element 1");
        }

        var error = await Assert.ThrowsAsync<MappingException>(() =>
            Run(publisher, report, new PublishRunOptions()).RunAsync(Broken(), TestContext.Current.CancellationToken));

        Assert.StartsWith("export.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_OperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        // A broker that never confirms.
        var never = new TaskCompletionSource();
        var publisher = new MemoryPublisher(_ => never.Task);
        using var report = new RejectReport(_folder.Combine("r.csv"));
        var running = Run(publisher, report, new PublishRunOptions { BatchSize = 1 }).RunAsync(Persons(50), cancel.Token);
        await publisher.WaitForAsync(1);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Empty(_confirmedThrough);
    }

    // Polls for a state the run reaches on its own threads; the deadline only turns a hang into a failure.
    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(60 * TimeProvider.System.TimestampFrequency);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"timed out waiting for: {what}");
            await timer.WaitForNextTickAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Keeps published batches in memory; <c>confirm</c> decides, per batch, when (or whether) the broker confirms it.</summary>
    private sealed class MemoryPublisher(Func<RecordBatchPublished, Task>? confirm = null) : IBatchPublisher
    {
        public ConcurrentQueue<RecordBatchPublished> Batches { get; } = [];

        public async Task PublishAsync(RecordBatchPublished batch, CancellationToken cancellationToken)
        {
            var confirmed = (confirm ?? (_ => Task.CompletedTask))(batch);
            Batches.Enqueue(batch);
            await confirmed.WaitAsync(cancellationToken);
        }

        public Task WaitForAsync(int batches) => PublishRunTests.WaitForAsync(() => Batches.Count >= batches, $"{batches} batches published");
    }
}
