using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Gateway.Records;
using SharingHub.Matching.Clustering;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// A person record's place in a subject cluster (ADR-010): the person records the hub believes are one human, at most
/// one per agency. Only records in a cluster of two or more have a row.
/// </summary>
public sealed class ClusterMember
{
    /// <summary>The person record.</summary>
    public long RecordId { get; init; }

    /// <summary>The cluster: the lowest record id among its members.</summary>
    public long ClusterId { get; init; }

    /// <summary>The record's agency (unique within a cluster).</summary>
    public required string AgencyCode { get; init; }
}

/// <summary>A person record whose cluster must be recomputed: queued when one of its person matches changes.</summary>
public sealed class ClusterPending
{
    /// <summary>The person record.</summary>
    public long RecordId { get; init; }

    /// <summary>When it was (last) queued; the maintainer deletes the marker only if it is unchanged.</summary>
    public DateTimeOffset QueuedAt { get; init; }
}

internal sealed class ClusterMemberConfiguration : IEntityTypeConfiguration<ClusterMember>
{
    public void Configure(EntityTypeBuilder<ClusterMember> builder)
    {
        builder.ToTable("cluster_members");
        builder.HasKey(m => m.RecordId);
        builder.Property(m => m.RecordId).ValueGeneratedNever();
        // Never two records of one agency in a cluster: the rule's, and the database's.
        builder.HasIndex(m => new { m.ClusterId, m.AgencyCode }).IsUnique();
        builder.HasOne<StoredRecord>().WithMany().HasForeignKey(m => m.RecordId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.AgencyCode).HasMaxLength(32);
    }
}

internal sealed class ClusterPendingConfiguration : IEntityTypeConfiguration<ClusterPending>
{
    public void Configure(EntityTypeBuilder<ClusterPending> builder)
    {
        builder.ToTable("cluster_pending");
        builder.HasKey(p => p.RecordId);
        builder.Property(p => p.RecordId).ValueGeneratedNever();
        builder.HasIndex(p => p.QueuedAt);
    }
}

/// <summary>
/// Keeps <c>cluster_members</c> up to date (ADR-010). The matcher queues, in the transaction that writes them, both
/// records of every person match that is found, changes (score, band, suppression) or closes; this service, on one
/// replica at a time (an advisory lock), takes the queued records, gathers the linked component around them (open,
/// unsuppressed Match-band person matches, and the records' current clusters), clusters it with
/// <see cref="SubjectClustering"/> and replaces the component's rows. A component is recomputed whole, so the result
/// never depends on the order records arrived in. It runs when the matcher kicks it and every sweep interval.
/// </summary>
internal sealed partial class SubjectClusterMaintainer(
    NpgsqlDataSource dataSource,
    IOptions<DeconflictionOptions> options,
    ILogger<SubjectClusterMaintainer> logger) : BackgroundService
{
    // An arbitrary, fixed advisory-lock key: "clusters".
    private const long LockKey = 0x5348_434C_5553_5452;

    /// <summary>Records taken per run.</summary>
    internal const int BatchSize = 200;

    /// <summary>
    /// The linked records a run follows, for all its queued records together, are at most this many (a hub-wide chain
    /// of links is a data fault); the records beyond wait for a later run, and it is logged.
    /// </summary>
    internal const int MaxComponentSize = 5_000;

    /// <summary>How long a run waits after a kick, to take the records of the matching runs that follow with it.</summary>
    internal static readonly TimeSpan KickDelay = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _kick = new(0, 1);

    /// <summary>Asks for a run soon (after a matching run queued records); never waits.</summary>
    public void Kick()
    {
        try
        {
            _kick.Release();
        }
        catch (SemaphoreFullException)
        {
            // A run is already asked for.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.MatchPollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await _kick.WaitAsync(interval, stoppingToken))
            {
                // Kicked by a matching run: the next runs' records join this one. Clusters are not on any alert's path,
                // and under a steady stream this makes one run of many records instead of one per matching run.
                await Task.Delay(KickDelay, stoppingToken);
            }
            try
            {
                while (await RunOnceAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away or a deadlock with a matcher run: the markers wait for the next turn.
                Log.RunFailed(logger, ex);
            }
        }
    }

    public override void Dispose()
    {
        _kick.Dispose();
        base.Dispose();
    }

    /// <summary>One run over at most <see cref="BatchSize"/> queued records; returns how many it took (0 when none or another replica runs).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The run is one transaction, and its advisory lock is the transaction's: taken with the read of the queue, it
        // ends with the commit or the rollback, and nothing is left on the pooled session.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var queued = new List<(long Id, DateTime QueuedAt)>();
        await using (var select = new NpgsqlCommand("""
            WITH lock AS (SELECT pg_try_advisory_xact_lock(@key) AS held)
            SELECT p.record_id, p.queued_at FROM lock
            CROSS JOIN LATERAL (
                SELECT record_id, queued_at FROM cluster_pending WHERE lock.held ORDER BY queued_at, record_id LIMIT @limit) p
            """, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<long>("key", NpgsqlDbType.Bigint) { TypedValue = LockKey });
            select.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = BatchSize });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                queued.Add((reader.GetInt64(0), reader.GetFieldValue<DateTime>(1)));
            }
        }
        if (queued.Count == 0)
        {
            return 0;
        }
        var (records, links, unfollowed) = await ComponentAsync(connection, queued.Select(q => q.Id), cancellationToken);
        var clusters = SubjectClustering.Cluster(records.Select(r => new ClusterRecord(r.Key, r.Value)), links);
        var members = clusters.SelectMany(cluster => cluster.Select(id => (Id: id, Cluster: cluster[0], Agency: records[id]))).ToList();

        await using var batch = new NpgsqlBatch(connection, transaction);
        // The component's rows go, and any other row under one of the new cluster ids (possible only when a
        // component was cut short): those records are queued again, as are the records not followed.
        batch.BatchCommands.Add(Command("""
            WITH gone AS (
                DELETE FROM cluster_members WHERE record_id = ANY(@ids) OR cluster_id = ANY(@clusters) RETURNING record_id
            )
            INSERT INTO cluster_pending (record_id, queued_at)
            SELECT DISTINCT id, now() FROM (SELECT record_id FROM gone WHERE NOT record_id = ANY(@ids) UNION ALL SELECT unnest(@unfollowed)) AS r(id)
            ORDER BY 1
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at
            """,
            Array("ids", NpgsqlDbType.Bigint, records.Keys.Union(queued.Select(q => q.Id)).Order()),
            Array("clusters", NpgsqlDbType.Bigint, clusters.Select(c => c[0])),
            Array("unfollowed", NpgsqlDbType.Bigint, unfollowed.Order())));
        batch.BatchCommands.Add(Command("""
            INSERT INTO cluster_members (record_id, cluster_id, agency_code)
            SELECT * FROM unnest(@ids, @clusters, @agencies)
            """,
            Array("ids", NpgsqlDbType.Bigint, members.Select(m => m.Id)),
            Array("clusters", NpgsqlDbType.Bigint, members.Select(m => m.Cluster)),
            Array("agencies", NpgsqlDbType.Text, members.Select(m => m.Agency))));
        batch.BatchCommands.Add(Command("""
            DELETE FROM cluster_pending p USING unnest(@ids, @queued) AS u(id, queued_at)
            WHERE p.record_id = u.id AND p.queued_at = u.queued_at
            """,
            Array("ids", NpgsqlDbType.Bigint, queued.Select(q => q.Id)),
            new NpgsqlParameter<DateTime[]>("queued", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. queued.Select(q => q.QueuedAt)] }));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.Ran(logger, queued.Count, records.Count, clusters.Count);
        return queued.Count;
    }

    /// <summary>
    /// The records linked to <paramref name="start"/> by open, unsuppressed Match-band person matches, and the
    /// members of their current clusters (so that a cluster that loses a link is recomputed whole), with their links.
    /// </summary>
    private async Task<(Dictionary<long, string> Records, List<ClusterLink> Links, long[] Unfollowed)> ComponentAsync(NpgsqlConnection connection,
        IEnumerable<long> start, CancellationToken cancellationToken)
    {
        var records = new Dictionary<long, string>();
        var seen = new HashSet<long>(start);
        var links = new Dictionary<(long, long), ClusterLink>();
        var frontier = seen.ToArray();
        while (frontier.Length > 0)
        {
            var found = new List<long>();
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command("""
                SELECT record_a_id, record_b_id, agency_a, agency_b, score FROM matches
                WHERE (record_a_id = ANY(@ids) OR record_b_id = ANY(@ids))
                  AND kind = 'PersonIdentity' AND band = 'Match' AND closed_at IS NULL AND NOT suppressed
                """, Array("ids", NpgsqlDbType.Bigint, frontier)));
            batch.BatchCommands.Add(Command("""
                SELECT c.record_id, c.agency_code FROM cluster_members c
                WHERE c.cluster_id IN (SELECT cluster_id FROM cluster_members WHERE record_id = ANY(@ids))
                """, Array("ids", NpgsqlDbType.Bigint, frontier)));
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var (a, b) = (reader.GetInt64(0), reader.GetInt64(1));
                    records[a] = reader.GetString(2);
                    records[b] = reader.GetString(3);
                    links[(a, b)] = new ClusterLink(a, b, reader.IsDBNull(4) ? 0 : reader.GetDouble(4));
                    found.Add(a);
                    found.Add(b);
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetInt64(0);
                    records.TryAdd(id, reader.GetString(1));
                    found.Add(id);
                }
            }
            frontier = [.. found.Where(seen.Add)];
            if (seen.Count > MaxComponentSize && frontier.Length > 0)
            {
                Log.ComponentTooLarge(logger, seen.Count, MaxComponentSize);
                // Their links and clusters were not read: they are left out of this run and queued for a later one.
                foreach (var id in frontier)
                {
                    records.Remove(id);
                }
                links = links.Where(l => records.ContainsKey(l.Key.Item1) && records.ContainsKey(l.Key.Item2)).ToDictionary();
                return (records, [.. links.Values], frontier);
            }
        }
        return (records, [.. links.Values], []);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "clusters: {Queued} queued records, a component of {Records} linked records, {Clusters} clusters")]
        public static partial void Ran(ILogger logger, int queued, int records, int clusters);

        [LoggerMessage(Level = LogLevel.Warning, Message = "clusters: the linked records of one run reached {Size} (limit {Limit}); the records beyond wait for a later run")]
        public static partial void ComponentTooLarge(ILogger logger, int size, int limit);

        [LoggerMessage(Level = LogLevel.Warning, Message = "clusters: the run failed; the queued records wait for the next one")]
        public static partial void RunFailed(ILogger logger, Exception exception);
    }
}
