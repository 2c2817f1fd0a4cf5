using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;
using SharingHub.Matching.Blocking;

namespace SharingHub.Gateway.Data;

/// <summary>The Gateway's PostgreSQL database: agencies, records, matches and alerts.</summary>
public sealed class HubDbContext(DbContextOptions<HubDbContext> options) : DbContext(options)
{
    /// <summary>Member agencies of the task force.</summary>
    public DbSet<Agency> Agencies => Set<Agency>();

    /// <summary>The broker access each agency registered through the API should have, and what the provisioner did.</summary>
    public DbSet<Agencies.AgencyBrokerAccess> AgencyBrokerAccess => Set<Agencies.AgencyBrokerAccess>();

    /// <summary>Records the agencies share, one row per (agency, kind, local id).</summary>
    public DbSet<StoredRecord> Records => Set<StoredRecord>();

    /// <summary>Cross-agency hits, unique per unordered record pair and kind.</summary>
    public DbSet<Match> Matches => Set<Match>();

    /// <summary>Agencies' judgements on matches.</summary>
    public DbSet<Adjudication> Adjudications => Set<Adjudication>();

    /// <summary>The matches change feed (outbox for alerts).</summary>
    public DbSet<MatchEvent> MatchEvents => Set<MatchEvent>();

    /// <summary>Person records in subject clusters (ADR-010).</summary>
    public DbSet<ClusterMember> ClusterMembers => Set<ClusterMember>();

    /// <summary>Alerts to agencies about their matches (a change feed: <c>alertRaised</c>).</summary>
    public DbSet<Alerts.Alert> Alerts => Set<Alerts.Alert>();

    /// <summary>How far the relay has published the alerts to their agencies' queues (one row).</summary>
    public DbSet<Alerts.AlertRelayCursor> AlertRelayCursors => Set<Alerts.AlertRelayCursor>();

    /// <summary>The append-only audit log of operator actions.</summary>
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <summary>
    /// Applies the pending migrations. A database without records then starts at the current blocking-key scheme:
    /// it has nothing to re-key (see <c>KeySchemeUpgrader</c>).
    /// </summary>
    public async Task ApplyMigrationsAsync(CancellationToken cancellationToken)
    {
        await Database.MigrateAsync(cancellationToken);
        await Database.ExecuteSqlRawAsync("""
            UPDATE key_scheme SET version = {0}, rekeying_to = NULL, rekeyed_through = 0
            WHERE version <> {0} AND NOT EXISTS (SELECT 1 FROM records)
            """, [BlockingKeys.SchemeVersion], cancellationToken);
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HubDbContext).Assembly);
    }
}
