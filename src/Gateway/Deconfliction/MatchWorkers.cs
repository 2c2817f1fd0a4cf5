using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Matching as its own competing work (ADR-005): the store path commits records with a <c>match_pending</c> marker
/// each and moves on; on every replica, <see cref="DeconflictionOptions.MatchWorkers"/> workers claim the oldest
/// markers no other run holds (<c>FOR UPDATE SKIP LOCKED</c>), a batch at a time, and match them. A worker wakes when
/// this replica stores records (<see cref="Signal"/>) and otherwise polls, so a replica also takes the work another
/// stored. A run that fails counts an attempt on its records and each is tried again on its own, so one bad record
/// cannot hold back the rest; a record that fails <see cref="DeconflictionOptions.MaxAttempts"/> times is left until it
/// changes again, and logged.
/// </summary>
/// <remarks>
/// The backlog is measured here too: <see cref="Backlog"/> holds the store path back while matching is too far behind
/// (<see cref="DeconflictionOptions.MaxPendingMatches"/>), and its lag is a metric and in <c>./hub status</c>.
/// </remarks>
internal sealed partial class MatchWorkers : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IncrementalMatcher _matcher;
    private readonly IOptions<DeconflictionOptions> _options;
    private readonly ILogger<MatchWorkers> _logger;
    private TaskCompletionSource _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MatchWorkers(NpgsqlDataSource dataSource, IncrementalMatcher matcher, MatchBacklog backlog, IOptions<DeconflictionOptions> options,
        ILogger<MatchWorkers> logger)
    {
        _dataSource = dataSource;
        _matcher = matcher;
        _options = options;
        _logger = logger;
        Backlog = backlog;
    }

    /// <summary>How far behind matching is; the store path waits on it.</summary>
    public MatchBacklog Backlog { get; }

    /// <summary>Wakes the workers: records were just committed with their markers.</summary>
    public void Signal() =>
        Interlocked.Exchange(ref _stored, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.Value.MatchWorkers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken))
            .Append(Backlog.MeasureAsync(_dataSource, stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(_options.Value.MatchPollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the claim, so that records stored while this run works wake it again at once.
            var stored = Volatile.Read(ref _stored).Task;
            int processed;
            try
            {
                processed = await RunNextAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away; the markers wait.
                Log.DatabaseUnavailable(_logger, ex);
                processed = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            if (processed < _options.Value.MatchBatchSize)
            {
                try
                {
                    await stored.WaitAsync(poll, stoppingToken);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One worker step: claims and matches the next batch; returns how many records it matched. On a failure the
    /// batch's records each count an attempt and are run one by one, so only the record that fails is held back.
    /// </summary>
    public async Task<int> RunNextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _matcher.RunNextAsync(_options.Value.MatchBatchSize, cancellationToken);
        }
        catch (MatchRunFailedException failed)
        {
            await CountAttemptAsync(failed.RecordIds, cancellationToken);
            Log.RunFailed(_logger, failed.RecordIds.Count, failed.InnerException);
            if (failed.RecordIds.Count == 1)
            {
                return 0;
            }
            var processed = 0;
            foreach (var id in failed.RecordIds)
            {
                try
                {
                    processed += await _matcher.RunAsync([id], "retry", cancellationToken);
                }
                catch (MatchRunFailedException single)
                {
                    Log.RecordFailed(_logger, id, single.InnerException);
                }
            }
            return processed;
        }
    }

    private async Task CountAttemptAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("UPDATE match_pending SET attempts = attempts + 1 WHERE record_id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ids] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "matching workers cannot reach the database")]
        public static partial void DatabaseUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "matching of {Count} records failed; each counts an attempt and is run alone")]
        public static partial void RunFailed(ILogger logger, int count, Exception? exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "matching of record {RecordId} failed; an attempt is counted")]
        public static partial void RecordFailed(ILogger logger, long recordId, Exception? exception);
    }
}

/// <summary>A matching run failed for a reason that retrying at once will not cure; its transaction was rolled back.</summary>
internal sealed class MatchRunFailedException(IReadOnlyList<long> recordIds, Exception inner)
    : Exception($"matching of {recordIds.Count} records failed", inner)
{
    /// <summary>The records the run had claimed.</summary>
    public IReadOnlyList<long> RecordIds { get; } = recordIds;
}

/// <summary>
/// How far behind matching is: the records waiting (counted up to a little past the high-water mark) and the age of
/// the oldest, measured every <see cref="DeconflictionOptions.BacklogIntervalSeconds"/> by each replica. Published as
/// <c>sharinghub.match.pending</c> and <c>sharinghub.match.lag</c>; the store path waits while it is over the mark.
/// </summary>
internal sealed partial class MatchBacklog
{
    private readonly IOptions<DeconflictionOptions> _options;
    private readonly ILogger<MatchBacklog> _logger;
    private long _pending;
    private double _lagSeconds;
    private int _holding;
    private TaskCompletionSource _measured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MatchBacklog(IOptions<DeconflictionOptions> options, IMeterFactory meterFactory, ILogger<MatchBacklog> logger)
    {
        _options = options;
        _logger = logger;
        var meter = meterFactory.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("sharinghub.match.pending", () => Interlocked.Read(ref _pending), "{record}",
            "Records stored but not yet matched (counted up to a little past Deconfliction:MaxPendingMatches).");
        meter.CreateObservableGauge("sharinghub.match.lag", () => Volatile.Read(ref _lagSeconds), "s",
            "Age of the oldest record stored but not yet matched: the lag between commit and match.");
    }

    /// <summary>Records waiting to be matched, as last measured.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Whether the store path should wait for matching to catch up.</summary>
    public bool Over => Pending > _options.Value.MaxPendingMatches;

    /// <summary>
    /// Returns at once while matching keeps up; otherwise waits (the message stays unacknowledged, and the broker keeps
    /// the rest) until the backlog is back under its mark.
    /// </summary>
    public async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (!Over)
        {
            return;
        }
        if (Interlocked.Exchange(ref _holding, 1) == 0)
        {
            Log.Holding(_logger, Pending, _options.Value.MaxPendingMatches);
        }
        while (Over)
        {
            await Volatile.Read(ref _measured).Task.WaitAsync(cancellationToken);
        }
        if (Interlocked.Exchange(ref _holding, 0) == 1)
        {
            Log.Resumed(_logger, Pending);
        }
    }

    internal const string MeasureSql = """
        SELECT (SELECT count(*) FROM (SELECT 1 FROM match_pending WHERE attempts < @max_attempts LIMIT @cap) w),
               coalesce(extract(epoch FROM now() - (SELECT min(queued_at) FROM match_pending WHERE attempts < @max_attempts)), 0)::float8
        """;

    public async Task MeasureAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.Value.BacklogIntervalSeconds));
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand(MeasureSql);
                command.Parameters.Add(new NpgsqlParameter<int>("max_attempts", NpgsqlDbType.Integer) { TypedValue = _options.Value.MaxAttempts });
                command.Parameters.Add(new NpgsqlParameter<int>("cap", NpgsqlDbType.Integer) { TypedValue = _options.Value.MaxPendingMatches + 1 });
                await using var reader = await command.ExecuteReaderAsync(stoppingToken);
                await reader.ReadAsync(stoppingToken);
                Interlocked.Exchange(ref _pending, reader.GetInt64(0));
                Volatile.Write(ref _lagSeconds, reader.GetDouble(1));
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.MeasureFailed(_logger, ex);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Exchange(ref _measured, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        while (await WaitTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Pending} records wait to be matched (more than {Mark}): storing waits for matching to catch up")]
        public static partial void Holding(ILogger logger, long pending, int mark);

        [LoggerMessage(Level = LogLevel.Information, Message = "matching caught up ({Pending} records wait): storing resumes")]
        public static partial void Resumed(ILogger logger, long pending);

        [LoggerMessage(Level = LogLevel.Warning, Message = "matching backlog could not be measured")]
        public static partial void MeasureFailed(ILogger logger, Exception exception);
    }
}
