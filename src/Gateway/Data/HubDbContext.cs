using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Data;

/// <summary>The Gateway's PostgreSQL database: agencies, records, matches and alerts.</summary>
public sealed class HubDbContext(DbContextOptions<HubDbContext> options) : DbContext(options)
{
    /// <summary>Member agencies of the task force.</summary>
    public DbSet<Agency> Agencies => Set<Agency>();

    /// <summary>Records the agencies share, one row per (agency, kind, local id).</summary>
    public DbSet<StoredRecord> Records => Set<StoredRecord>();

    /// <summary>Cross-agency hits, unique per unordered record pair and kind.</summary>
    public DbSet<Match> Matches => Set<Match>();

    /// <summary>Agencies' judgements on matches.</summary>
    public DbSet<Adjudication> Adjudications => Set<Adjudication>();

    /// <summary>The matches change feed (outbox for alerts).</summary>
    public DbSet<MatchEvent> MatchEvents => Set<MatchEvent>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HubDbContext).Assembly);
    }
}
