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
/// person's components are compared with what it contributed before, and only the difference is appended. Three
/// statements per batch, whatever its size: read the previous contributions, append the deltas and drop the
/// previous contributions (one round trip), copy the new ones.
/// </summary>
internal static class NameFrequencyWriter
{
    public static async Task WriteAsync(NpgsqlConnection connection, MatchingEngine engine, IEnumerable<Matchable> records, CancellationToken cancellationToken)
    {
        var persons = records.Where(r => r.Kind == KeyedKind.Person).OrderBy(r => r.Id).ToList();
        if (persons.Count == 0)
        {
            return;
        }

        var ids = persons.Select(p => p.Id).ToArray();
        var previous = new Dictionary<long, long[]>();
        await using (var select = new NpgsqlCommand("SELECT record_id, hashes FROM name_frequency_sources WHERE record_id = ANY(@ids)", connection))
        {
            select.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                previous[reader.GetInt64(0)] = reader.GetFieldValue<long[]>(1);
            }
        }

        var deltas = new Dictionary<long, int>();
        var changed = new List<(long Id, long[] Hashes)>();
        foreach (var person in persons)
        {
            long[] now = person.Usable && person.Person is { } evidence
                ? [.. engine.NameComponents(evidence).Select(NameFrequencies.Hash).Distinct().Order()]
                : [];
            var before = previous.GetValueOrDefault(person.Id, []);
            if (now.AsSpan().SequenceEqual(before))
            {
                continue;
            }

            foreach (var hash in before)
            {
                deltas[hash] = deltas.GetValueOrDefault(hash) - 1;
            }

            foreach (var hash in now)
            {
                deltas[hash] = deltas.GetValueOrDefault(hash) + 1;
            }

            changed.Add((person.Id, now));
        }

        if (changed.Count == 0)
        {
            return;
        }

        var net = deltas.Where(d => d.Value != 0).OrderBy(d => d.Key).ToArray();
        await using (var batch = new NpgsqlBatch(connection))
        {
            var append = new NpgsqlBatchCommand("INSERT INTO name_frequency_deltas (hash, delta) SELECT * FROM unnest(@hashes, @deltas)");
            append.Parameters.Add(new NpgsqlParameter<long[]>("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. net.Select(d => d.Key)] });
            append.Parameters.Add(new NpgsqlParameter<int[]>("deltas", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. net.Select(d => d.Value)] });
            batch.BatchCommands.Add(append);
            var drop = new NpgsqlBatchCommand("DELETE FROM name_frequency_sources WHERE record_id = ANY(@ids)");
            drop.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. changed.Select(c => c.Id)] });
            batch.BatchCommands.Add(drop);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!changed.Any(c => c.Hashes.Length > 0))
        {
            return;
        }

        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY name_frequency_sources (record_id, hashes) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (id, hashes) in changed.Where(c => c.Hashes.Length > 0))
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(hashes, NpgsqlDbType.Array | NpgsqlDbType.Bigint, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }
}

/// <summary>
/// The matcher's view of the name counts: a snapshot in memory (<see cref="Current"/>), so scoring a pair never waits
/// on the database. Every <see cref="DeconflictionOptions.NameFrequencyRefreshSeconds"/> one replica (advisory lock)
/// folds the appended deltas into <c>name_frequencies</c>, and every replica reloads its snapshot.
/// </summary>
internal sealed partial class NameFrequencyCache(
    NpgsqlDataSource dataSource,
    IOptions<DeconflictionOptions> options,
    ILogger<NameFrequencyCache> logger) : BackgroundService
{
    // An arbitrary, fixed advisory-lock key: "name frequency fold".
    private const long LockKey = 0x5348_4E46_464F_4C44;

    private volatile NameFrequencies _current = NameFrequencies.Empty;

    /// <summary>The latest snapshot (empty until the first load).</summary>
    public NameFrequencies Current => _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.NameFrequencyRefreshSeconds));
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away: the matcher keeps the last snapshot.
                Log.RefreshFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Folds the pending deltas (if no other replica is folding) and reloads the snapshot.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await FoldAsync(connection, cancellationToken);
        var counts = new List<KeyValuePair<long, long>>();
        await using (var select = new NpgsqlCommand("SELECT hash, count FROM name_frequencies WHERE count > 0", connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                counts.Add(KeyValuePair.Create(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        _current = new NameFrequencies(counts);
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
            // the next fold.
            await using var fold = new NpgsqlCommand("""
                WITH taken AS (DELETE FROM name_frequency_deltas RETURNING hash, delta)
                INSERT INTO name_frequencies (hash, count)
                SELECT hash, sum(delta) FROM taken GROUP BY hash ORDER BY hash
                ON CONFLICT (hash) DO UPDATE SET count = name_frequencies.count + excluded.count
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
