using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Keys;

namespace SharingHub.Identity.Data;

/// <summary>
/// Identity's database: accounts (ASP.NET Core Identity user store), agencies, the OpenIddict store,
/// the append-only audit log and the data-protection key ring.
/// </summary>
public sealed class HubIdentityDbContext(DbContextOptions<HubIdentityDbContext> options)
    : IdentityUserContext<HubUser>(options)
{
    public DbSet<Agency> Agencies => Set<Agency>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<DataProtectionKeyRow> DataProtectionKeys => Set<DataProtectionKeyRow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<HubUser>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.AgencyCode).HasMaxLength(16).IsRequired();
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.HasIndex(u => u.AgencyCode);
            user.HasOne<Agency>().WithMany().HasForeignKey(u => u.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<string>>().ToTable("user_tokens");

        builder.Entity<Agency>(agency =>
        {
            agency.ToTable("agencies");
            agency.HasKey(a => a.Code);
            agency.Property(a => a.Code).HasMaxLength(16);
            agency.Property(a => a.Name).HasMaxLength(200).IsRequired();
            agency.Property(a => a.Kind).HasConversion<string>().HasMaxLength(32);
            agency.Ignore(a => a.IsEnabled);
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.ToTable("audit_events");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Id).UseIdentityAlwaysColumn();
            audit.Property(a => a.OccurredAt).HasDefaultValueSql("now()");
            audit.Property(a => a.Event).HasMaxLength(64).IsRequired();
            audit.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
            audit.Property(a => a.Actor).HasMaxLength(256);
            audit.Property(a => a.ClientId).HasMaxLength(128);
            audit.Property(a => a.SourceAddress).HasMaxLength(64);
            audit.Property(a => a.Detail).HasMaxLength(1000);
            audit.HasIndex(a => a.OccurredAt);
            audit.HasIndex(a => new { a.Event, a.OccurredAt });
        });

        builder.Entity<DataProtectionKeyRow>(key =>
        {
            key.ToTable("data_protection_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.FriendlyName).HasMaxLength(200);
        });

        builder.UseOpenIddict();
    }
}
