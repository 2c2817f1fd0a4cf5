using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Finishes matching that a crash, a deadlock or a redelivery left undone: every few seconds, one replica (a
/// PostgreSQL advisory lock elects it) takes the oldest <c>match_pending</c> markers that are older than the grace
/// period and runs them. A run that fails counts an attempt; a record that fails <see cref="DeconflictionOptions.MaxAttempts"/>
/// times is left until it changes again, and logged.
/// </summary>
internal sealed partial class PendingMatchSweeper(
    NpgsqlDataSource dataSource,
    IncrementalMatcher matcher,
    IOptions<DeconflictionOptions> options,
    ILogger<PendingMatchSweeper> logger) : BackgroundService
{
    // An arbitrary, fixed advisory-lock key: "match sweeper".
    private const long LockKey = 0x5348_4D53_5745_4550;

    // Links a sweep's span keeps to the traces it finishes; a backlog after an outage could otherwise link thousands.
    private const int MaxLinks = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await SweepOnceAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away; the markers wait for the next tick.
                Log.SweepFailed(logger, ex);
            }
        }
    }

    /// <summary>One sweep; returns how many records it matched.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await AdvisoryLock.TryAcquireAsync(connection, LockKey, cancellationToken))
        {
            return 0;
        }
        try
        {
            var ids = new List<long>();
            var queuedBy = new HashSet<string>(StringComparer.Ordinal);
            await using (var select = new NpgsqlCommand("""
                SELECT record_id, trace_parent FROM match_pending
                WHERE queued_at < now() - make_interval(secs => @grace) AND attempts < @max_attempts
                ORDER BY queued_at LIMIT @limit
                """, connection))
            {
                select.Parameters.Add(new NpgsqlParameter<double>("grace", NpgsqlDbType.Double) { TypedValue = settings.SweepGraceSeconds });
                select.Parameters.Add(new NpgsqlParameter<int>("max_attempts", NpgsqlDbType.Integer) { TypedValue = settings.MaxAttempts });
                select.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = settings.SweepBatchSize });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add(reader.GetInt64(0));
                    if (!reader.IsDBNull(1))
                    {
                        queuedBy.Add(reader.GetString(1));
                    }
                }
            }
            if (ids.Count == 0)
            {
                return 0;
            }
            Log.Sweeping(logger, ids.Count);
            // One sweep runs records of many traces: it is a trace of its own, linked to the stores that queued them
            // (ADR-013), and the alerts it raises continue this trace.
            using var activity = Telemetry.ActivitySource.StartActivity("sweep pending matches", ActivityKind.Internal, parentContext: default,
                links: queuedBy.Take(MaxLinks).Select(Telemetry.ParseTraceParent).Where(c => c != default).Select(c => new ActivityLink(c)));
            activity?.SetTag(Telemetry.Tags.Records, ids.Count);
            try
            {
                return await matcher.RunAsync(ids, "sweep", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await CountAttemptAsync(connection, ids, cancellationToken);
                Log.RunFailed(logger, ids.Count, ex);
                return 0;
            }
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, LockKey);
        }
    }

    private static async Task CountAttemptAsync(NpgsqlConnection connection, List<long> ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE match_pending SET attempts = attempts + 1 WHERE record_id = ANY(@ids)", connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ids] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "sweeping {Count} records whose matching is pending")]
        public static partial void Sweeping(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "matching sweep could not reach the database")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "matching of {Count} pending records failed; an attempt is counted")]
        public static partial void RunFailed(ILogger logger, int count, Exception exception);
    }
}
