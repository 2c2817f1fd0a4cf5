using Microsoft.EntityFrameworkCore;

namespace SharingHub.Gateway.Data;

/// <summary>The Gateway's PostgreSQL database: agencies, records, matches and alerts.</summary>
public sealed class HubDbContext(DbContextOptions<HubDbContext> options) : DbContext(options)
{
    /// <summary>Member agencies of the task force.</summary>
    public DbSet<Agency> Agencies => Set<Agency>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HubDbContext).Assembly);
    }
}
