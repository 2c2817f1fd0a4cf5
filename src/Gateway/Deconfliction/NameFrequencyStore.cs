using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Folded counts of name components over the stored person records (<c>name_frequencies</c>): one row per component
/// hash (<see cref="NameFrequencies.Hash(NameComponentKind, string)"/>), never a name and never an agency.
/// </summary>
internal sealed class NameFrequencyRow
{
    public long Hash { get; set; }

    public long Count { get; set; }

    /// <summary>The fold that last changed it (each fold stamps its rows with the next number): what a replica reads since its last load.</summary>
    public long Version { get; set; }
}

/// <summary>
/// A change to the counts, appended in the ingest transaction (<c>name_frequency_deltas</c>). Appending instead of
/// updating <c>name_frequencies</c> in place keeps concurrent batches from queueing on the rows of common names.
/// </summary>
internal sealed class NameFrequencyDelta
{
    public long Id { get; set; }

    public long Hash { get; set; }

    public int Delta { get; set; }
}

/// <summary>
/// What one person record adds to the counts now (<c>name_frequency_sources</c>): the component hashes, so that a
/// new version or a withdrawal takes exactly those back.
/// </summary>
internal sealed class NameFrequencySource
{
    public long RecordId { get; set; }

    public long[] Hashes { get; set; } = [];
}

internal sealed class NameFrequencyRowConfiguration : IEntityTypeConfiguration<NameFrequencyRow>
{
    public void Configure(EntityTypeBuilder<NameFrequencyRow> builder)
    {
        builder.ToTable("name_frequencies");
        builder.HasKey(f => f.Hash);
        builder.Property(f => f.Hash).ValueGeneratedNever();
        builder.HasIndex(f => f.Version);
    }
}

internal sealed class NameFrequencyDeltaConfiguration : IEntityTypeConfiguration<NameFrequencyDelta>
{
    public void Configure(EntityTypeBuilder<NameFrequencyDelta> builder)
    {
        builder.ToTable("name_frequency_deltas");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).UseIdentityAlwaysColumn();
    }
}

internal sealed class NameFrequencySourceConfiguration : IEntityTypeConfiguration<NameFrequencySource>
{
    public void Configure(EntityTypeBuilder<NameFrequencySource> builder)
    {
        builder.ToTable("name_frequency_sources");
        builder.HasKey(s => s.RecordId);
        // Written in the record's transaction, like record_keys; records are never deleted (tombstones).
        builder.Property(s => s.RecordId).ValueGeneratedNever();
    }
}

/// <summary>
/// Keeps the name counts in step with the stored persons, inside the transaction that stores (or re-keys) them: each
/// person's components are compared with what it contributed before, and only the difference is appended. One
/// statement per batch, whatever its size, sent with the batch's other derived writes (<see cref="BlockingKeyWriter"/>).
/// </summary>
internal static class NameFrequencyWriter
{
    // The previous contributions are read on the statement's snapshot, before its writes: the new ones replace them (a
    // person whose components did not change is not written), a person with none left loses its row, and the net
    // difference per component is appended.
    private const string Replace = """
        WITH old AS (
            SELECT h.hash FROM name_frequency_sources s CROSS JOIN LATERAL unnest(s.hashes) AS h(hash)
            WHERE s.record_id = ANY(@persons)
        ),
        new AS (
            SELECT u.id, u.hash FROM unnest(@ids, @hashes) AS u(id, hash)
        ),
        written AS (
            INSERT INTO name_frequency_sources AS s (record_id, hashes)
            SELECT id, array_agg(hash ORDER BY hash) FROM new GROUP BY id ORDER BY id
            ON CONFLICT (record_id) DO UPDATE SET hashes = excluded.hashes WHERE s.hashes IS DISTINCT FROM excluded.hashes
            RETURNING 1
        ),
        emptied AS (
            DELETE FROM name_frequency_sources WHERE record_id = ANY(@persons) AND NOT record_id = ANY(@ids)
            RETURNING 1
        )
        INSERT INTO name_frequency_deltas (hash, delta)
        SELECT hash, sum(delta)::int FROM (SELECT hash, -1 AS delta FROM old UNION ALL SELECT hash, 1 FROM new) d
        GROUP BY hash HAVING sum(delta) <> 0 ORDER BY hash
        """;

    /// <summary>Adds to <paramref name="batch"/> the statement that brings the counts in step with the persons among <paramref name="records"/>.</summary>
    public static void Add(NpgsqlBatch batch, MatchingEngine engine, IEnumerable<Matchable> records)
    {
        var persons = records.Where(r => r.Kind == KeyedKind.Person).OrderBy(r => r.Id).ToList();
        if (persons.Count == 0)
        {
            return;
        }
        var components = persons
            .Where(p => p.Usable && p.Person is not null)
            .SelectMany(p => engine.NameComponents(p.Person!).Select(NameFrequencies.Hash).Distinct().Select(hash => (p.Id, Hash: hash)))
            .ToList();
        var command = new NpgsqlBatchCommand(Replace);
        command.Parameters.Add(new NpgsqlParameter<long[]>("persons", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. persons.Select(p => p.Id)] });
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. components.Select(c => c.Id)] });
        command.Parameters.Add(new NpgsqlParameter<long[]>("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. components.Select(c => c.Hash)] });
        batch.BatchCommands.Add(command);
    }
}

/// <summary>
/// The matcher's view of the name counts: a snapshot in memory (<see cref="Current"/>), so scoring a pair never waits
/// on the database. Every <see cref="DeconflictionOptions.NameFrequencyRefreshSeconds"/> one replica (advisory lock)
/// folds the appended deltas into <c>name_frequencies</c>, and every replica reads the counts that changed.
/// </summary>
internal sealed partial class NameFrequencyCache(
    NpgsqlDataSource dataSource,
    IOptions<DeconflictionOptions> options,
    ILogger<NameFrequencyCache> logger) : BackgroundService
{
    // An arbitrary, fixed advisory-lock key: "name frequency fold".
    private const long LockKey = 0x5348_4E46_464F_4C44;

    private volatile NameFrequencies _current = NameFrequencies.Empty;

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The latest snapshot (empty until the first load: matching waits for it, <see cref="WhenLoadedAsync"/>).</summary>
    public NameFrequencies Current => _current;

    /// <summary>
    /// Completes once the first snapshot has loaded. Matching must not score before: a pair scored without the counts
    /// scores otherwise than with them (a rare name's weight is missing), and when the pair is scored again the
    /// difference reads as a change of the match, which raises a second alert for records that did not change (found
    /// by <c>./hub bench chaos</c>: a Gateway restarted mid-stream matched for a few seconds before its first load).
    /// </summary>
    public Task WhenLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.NameFrequencyRefreshSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away (or not migrated yet, at start-up): the matcher keeps the last snapshot.
                Log.RefreshFailed(logger, ex);
            }
            // Until the first snapshot is in, matching waits for it: the next try comes within a second.
            await Task.Delay(_loaded.Task.IsCompleted || period < TimeSpan.FromSeconds(1) ? period : TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    // The newest fold this replica has read (-1: none yet, so the next load reads every count).
    private long _version = -1;

    /// <summary>
    /// Folds the pending deltas (if no other replica is folding) and loads the snapshot: every count the first time,
    /// then only the counts folded since the last load, applied to the snapshot (<see cref="NameFrequencies.With"/>).
    /// Folds take turns (an advisory lock) and each stamps its rows with the next version, so versions commit in order
    /// and a load that reads past its last version misses none.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await FoldAsync(connection, cancellationToken);
        var (since, current) = (_version, _current);
        var counts = new List<KeyValuePair<long, long>>();
        var version = since;
        await using (var select = new NpgsqlCommand("SELECT hash, count, version FROM name_frequencies WHERE version > @since", connection))
        {
            select.Parameters.Add(new NpgsqlParameter<long>("since", NpgsqlDbType.Bigint) { TypedValue = since });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts.Add(KeyValuePair.Create(reader.GetInt64(0), reader.GetInt64(1)));
                version = Math.Max(version, reader.GetInt64(2));
            }
        }

        _current = since < 0 ? new NameFrequencies(counts) : current.With(counts);
        _version = version;
        _loaded.TrySetResult();
    }

    private static async Task FoldAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!await AdvisoryLock.TryAcquireAsync(connection, LockKey, cancellationToken))
        {
            return;
        }

        try
        {
            // One statement, so the deltas it deletes are exactly those it adds: a delta committed meanwhile waits for
            // the next fold. Its rows take the next version (the lock makes folds take turns).
            await using var fold = new NpgsqlCommand("""
                WITH taken AS (DELETE FROM name_frequency_deltas RETURNING hash, delta),
                next AS (SELECT coalesce(max(version), 0) + 1 AS version FROM name_frequencies)
                INSERT INTO name_frequencies (hash, count, version)
                SELECT hash, sum(delta), (SELECT version FROM next) FROM taken GROUP BY hash ORDER BY hash
                ON CONFLICT (hash) DO UPDATE SET count = name_frequencies.count + excluded.count, version = excluded.version
                """, connection);
            await fold.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await AdvisoryLock.ReleaseAsync(connection, LockKey);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "name frequencies not refreshed (database unreachable); matching keeps the last snapshot")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
