using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Matching.Blocking;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Brings every stored record's blocking keys to the current <see cref="BlockingKeys.SchemeVersion"/> after an
/// upgrade changed the scheme: without it, a record keyed before the upgrade could never meet a new one through the
/// new keys. One replica (a PostgreSQL advisory lock elects it) walks the records in id order, in batches of
/// <see cref="DeconflictionOptions.RekeyBatchSize"/>: each batch locks its records (as the key writer does), replaces
/// their keys, queues them for matching (the matching workers run them) and records how far it got, in one transaction, so
/// a restart resumes where it stopped. Records stored meanwhile are keyed by the new code already.
/// </summary>
internal sealed partial class KeySchemeUpgrader(
    NpgsqlDataSource dataSource,
    MatchableLoader loader,
    IOptions<DeconflictionOptions> options,
    ILogger<KeySchemeUpgrader> logger) : BackgroundService
{
    // An arbitrary, fixed advisory-lock key: "key scheme".
    private const long LockKey = 0x5348_4B45_5953_434D;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(options.Value.MatchPollSeconds * 5);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await UpgradeAsync(stoppingToken) is not UpgradeOutcome.OtherReplica)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.Failed(logger, ex);
            }
            await Task.Delay(retry, stoppingToken);
        }
    }

    /// <summary>Re-keys the stored records if their scheme is older than the current one.</summary>
    public async Task<UpgradeOutcome> UpgradeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await AdvisoryLock.TryAcquireAsync(connection, LockKey, cancellationToken))
        {
            return UpgradeOutcome.OtherReplica;
        }
        try
        {
            var (version, through) = await StartAsync(connection, cancellationToken);
            if (version == BlockingKeys.SchemeVersion)
            {
                return UpgradeOutcome.Current;
            }
            var (from, rekeyed) = (through, 0L);
            while (true)
            {
                var done = await RekeyBatchAsync(connection, through, cancellationToken);
                if (done is null)
                {
                    // A new database (no records) just takes the current scheme, without a word.
                    if (rekeyed > 0)
                    {
                        Log.Finished(logger, BlockingKeys.SchemeVersion, rekeyed);
                    }
                    return UpgradeOutcome.Upgraded;
                }
                if (rekeyed == 0)
                {
                    Log.Starting(logger, version, BlockingKeys.SchemeVersion, from);
                }
                (through, rekeyed) = (done.Value.Through, rekeyed + done.Value.Count);
                Log.Progress(logger, rekeyed, through);
            }
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, LockKey);
        }
    }

    /// <summary>The stored scheme and, when it is not current, where the re-key to the current one stands.</summary>
    private static async Task<(int Version, long Through)> StartAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // A re-key towards another scheme (an older release's, interrupted) starts again from the first record.
        await using var command = new NpgsqlCommand("""
            UPDATE key_scheme
            SET rekeying_to = CASE WHEN version = @current THEN NULL ELSE @current END,
                rekeyed_through = CASE WHEN rekeying_to = @current AND version <> @current THEN rekeyed_through ELSE 0 END
            WHERE id = 1
            RETURNING version, rekeyed_through
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<int>("current", NpgsqlDbType.Integer) { TypedValue = BlockingKeys.SchemeVersion });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("The key_scheme row is missing: run the Gateway's database migrations.");
        }
        return (reader.GetInt32(0), reader.GetInt64(1));
    }

    /// <summary>One batch after <paramref name="through"/>; null when none is left (the scheme is then current).</summary>
    private async Task<(long Through, int Count)?> RekeyBatchAsync(NpgsqlConnection connection, long through, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var ids = await LockNextAsync(connection, through, cancellationToken);
                if (ids.Length == 0)
                {
                    await FinishAsync(connection, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return null;
                }
                var records = await loader.LoadAsync(connection, ids, cancellationToken, fresh: true);
                // Records stored before the name counts existed are counted as the walk passes them.
                await BlockingKeyWriter.WriteDerivedAsync(connection, loader.Engine, records.Values, [],
                    [.. records.Values.Where(r => r.Usable).Select(r => r.Id)], cancellationToken);
                await SaveProgressAsync(connection, ids[^1], cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return (ids[^1], ids.Length);
            }
            catch (PostgresException ex) when (ex.IsTransient && attempt < 5)
            {
                // A deadlock with an ingest batch locking the same records in another order: the batch runs again.
                await transaction.RollbackAsync(CancellationToken.None);
                Log.Retrying(logger, ex.SqlState, attempt);
            }
        }
    }

    private async Task<long[]> LockNextAsync(NpgsqlConnection connection, long through, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id FROM records WHERE id > @through ORDER BY id LIMIT @limit FOR UPDATE", connection);
        command.Parameters.Add(new NpgsqlParameter<long>("through", NpgsqlDbType.Bigint) { TypedValue = through });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = options.Value.RekeyBatchSize });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    private static async Task SaveProgressAsync(NpgsqlConnection connection, long through, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE key_scheme SET rekeyed_through = @through WHERE id = 1", connection);
        command.Parameters.Add(new NpgsqlParameter<long>("through", NpgsqlDbType.Bigint) { TypedValue = through });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task FinishAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // The stop keys noted while the keys were replaced describe blocks of either scheme: they are noted again.
        await using var command = new NpgsqlCommand(
            "UPDATE key_scheme SET version = @current, rekeying_to = NULL, rekeyed_through = 0 WHERE id = 1; DELETE FROM stop_keys", connection);
        command.Parameters.Add(new NpgsqlParameter<int>("current", NpgsqlDbType.Integer) { TypedValue = BlockingKeys.SchemeVersion });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "stored blocking keys follow scheme {Stored}, this release keys with {Current}: re-keying every record from id {Through} on; matches that only the new keys find appear as it goes")]
        public static partial void Starting(ILogger logger, int stored, int current, long through);

        [LoggerMessage(Level = LogLevel.Information, Message = "re-keyed {Count} records (through id {Through})")]
        public static partial void Progress(ILogger logger, long count, long through);

        [LoggerMessage(Level = LogLevel.Information, Message = "blocking keys are at scheme {Current}: {Count} records re-keyed and queued for matching")]
        public static partial void Finished(ILogger logger, int current, long count);

        [LoggerMessage(Level = LogLevel.Information, Message = "re-key batch hit transient fault {SqlState}; attempt {Attempt}, retrying")]
        public static partial void Retrying(ILogger logger, string sqlState, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "re-keying failed (database unreachable or not migrated); it will try again")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}

/// <summary>What <see cref="KeySchemeUpgrader.UpgradeAsync"/> found or did.</summary>
internal enum UpgradeOutcome
{
    /// <summary>The keys were current already.</summary>
    Current,

    /// <summary>The records were re-keyed to the current scheme.</summary>
    Upgraded,

    /// <summary>Another replica holds the re-key lock.</summary>
    OtherReplica,
}
