using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Data;

/// <summary>A member agency, identified by an ORI-like code.</summary>
public sealed class Agency
{
    /// <summary>The agency's code (ORI-like), also its broker user name.</summary>
    public required string Code { get; init; }

    /// <summary>The agency's display name.</summary>
    public required string Name { get; set; }

    /// <summary>What kind of organisation it is.</summary>
    public AgencyKind Kind { get; set; }

    /// <summary>The agency's default phone region (ISO 3166-1 alpha-2), used to read local numbers.</summary>
    public string Region { get; set; } = "US";

    /// <summary>
    /// Neighbouring phone regions (ISO 3166-1 alpha-2, e.g. <c>MX</c> for a Texas agency): a number invalid in
    /// <see cref="Region"/> but valid in one of these is read there (ADR-006).
    /// </summary>
    public string[] NeighbourRegions { get; set; } = [];

    /// <summary>The default region first, then the neighbours: what the record rules read a local number in.</summary>
    public IReadOnlyList<string> PhoneRegions => [Region, .. NeighbourRegions];

    /// <summary>When the agency was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// When an administrator disabled the agency (<c>disableAgency</c>); null while it is a member. A disabled agency's
    /// users are refused and its broker user loses its permissions; its records stay.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>Whether the agency is a member in good standing (not disabled).</summary>
    public bool IsEnabled => DisabledAt is null;
}

internal sealed class AgencyConfiguration : IEntityTypeConfiguration<Agency>
{
    public void Configure(EntityTypeBuilder<Agency> builder)
    {
        builder.HasKey(a => a.Code);
        builder.Property(a => a.Code).HasMaxLength(32);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.Region).HasMaxLength(2);
        builder.Property(a => a.NeighbourRegions).HasDefaultValueSql("'{}'::text[]");
        builder.Ignore(a => a.PhoneRegions);
        builder.Ignore(a => a.IsEnabled);
    }
}
