using System.Diagnostics;
using SharingHub.Bench.Match;

namespace SharingHub.Bench.Alerts;

/// <summary>
/// A background stream: records of another agency published through the connector path, one per message or in
/// batches of a given size (as a connector's <c>--batch-size</c>), paced to a rate of records, until stopped. At most <see cref="InFlight"/> publishes await their confirm at once (the CLI's run keeps 8
/// batches in flight; one record a message needs more to reach 1,000/s); a stream the broker or the Gateway cannot
/// take at the asked rate falls behind, and <see cref="Rate"/> says what it reached.
/// </summary>
internal sealed class BackgroundStream
{
    private const int InFlight = 64;

    private readonly ConnectorPath _connector;
    private readonly IEnumerator<SyntheticRecord> _records;
    private readonly double _perSecond;
    private readonly int _batchSize;
    private long _confirmed;
    private long _startedAt;
    private long _stoppedAt;

    public BackgroundStream(ConnectorPath connector, IEnumerable<SyntheticRecord> records, double perSecond, int batchSize)
    {
        _batchSize = batchSize;
        _connector = connector;
        _records = records.GetEnumerator();
        _perSecond = perSecond;
    }

    /// <summary>Records confirmed by the broker per second, from the start to the stop.</summary>
    public double Rate => Interlocked.Read(ref _confirmed) / Stopwatch.GetElapsedTime(_startedAt, _stoppedAt).TotalSeconds;

    /// <summary>Records confirmed so far.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>Publishes until <paramref name="stop"/>; then waits for the confirms in flight. A failed publish ends it.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _startedAt = Stopwatch.GetTimestamp();
        if (_perSecond <= 0)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                _stoppedAt = Stopwatch.GetTimestamp();
            }
            return;
        }
        using var window = new SemaphoreSlim(InFlight);
        // Stopping ends the pacing, and the publishes in flight are still confirmed and counted; a failed publish
        // cancels the others too.
        using var abort = new CancellationTokenSource();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stop, abort.Token);
        Exception? failure = null;
        long sent = 0;
        try
        {
            while (!failed.IsCancellationRequested)
            {
                // Every record whose time has come goes now: a late tick (a loaded machine) catches up, so the rate
                // is the asked one whenever the window allows it.
                var due = (long)(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds * _perSecond);
                for (; sent + _batchSize <= due && !failed.IsCancellationRequested; sent += _batchSize)
                {
                    await window.WaitAsync(failed.Token);
                    var lines = new List<string>(_batchSize);
                    for (var i = 0; i < _batchSize && _records.MoveNext(); i++)
                    {
                        lines.Add(_records.Current.ToCanonicalLine());
                    }
                    _ = PublishAsync(_connector.Prepare(lines), lines.Count);
                }
                await Task.Delay(5, failed.Token);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            // Stopped (or a publish failed: then it is thrown below).
        }
        for (var i = 0; i < InFlight; i++)
        {
            await window.WaitAsync(CancellationToken.None);
        }
        _stoppedAt = Stopwatch.GetTimestamp();
        if (failure is not null)
        {
            throw new BenchFailedException($"the background stream failed after {Confirmed:N0} records: {failure.Message}");
        }

        async Task PublishAsync(Contracts.V1.RecordBatchPublished batch, int records)
        {
            try
            {
                await _connector.PublishAsync(batch, abort.Token);
                Interlocked.Add(ref _confirmed, records);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                // Another publish failed first: that failure is the one reported.
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                await abort.CancelAsync();
            }
            finally
            {
                window.Release();
            }
        }
    }
}
