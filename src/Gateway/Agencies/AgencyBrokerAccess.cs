using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingHub.Gateway.Data;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Agencies;

/// <summary>
/// The broker access an agency should have (desired state, written by <c>registerAgency</c> and <c>disableAgency</c>)
/// and what the provisioner last found and did (observed state). The Gateway writes the first half and never touches
/// the broker; the provisioner, the only holder of the broker administration credential, writes the second (ADR-014).
/// </summary>
public sealed class AgencyBrokerAccess
{
    /// <summary>The agency's code.</summary>
    public required string AgencyCode { get; init; }

    /// <summary>Desired: whether the agency's broker user may publish records and read its alert queue.</summary>
    public bool Enabled { get; set; }

    /// <summary>Desired: the agency's broker user (its code: RabbitMQ checks each message's <c>user_id</c> against it).</summary>
    public required string UserName { get; set; }

    /// <summary>Desired: the agency's alert queue, <c>sharinghub-alerts.CODE</c>.</summary>
    public required string AlertQueue { get; set; }

    /// <summary>Desired: raised by every change, so the provisioner knows what it has not reconciled yet.</summary>
    public long Generation { get; set; }

    /// <summary>Observed: the <see cref="Generation"/> the provisioner last reconciled, successfully or not.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>Observed: what the broker holds for the agency.</summary>
    public BrokerState State { get; set; }

    /// <summary>Observed: why the last reconciliation failed (the management API's status, never a secret).</summary>
    public string? StateDetail { get; set; }

    /// <summary>Observed: when the provisioner last wrote <see cref="State"/>.</summary>
    public DateTimeOffset? ObservedAt { get; set; }

    /// <summary>The alert queue of <paramref name="agencyCode"/> (the name the Gateway's alert relay declares).</summary>
    public static string AlertQueueOf(string agencyCode) => AgencyBrokerTopology.AlertQueueOf(agencyCode);
}

internal sealed class AgencyBrokerAccessConfiguration : IEntityTypeConfiguration<AgencyBrokerAccess>
{
    public void Configure(EntityTypeBuilder<AgencyBrokerAccess> builder)
    {
        builder.ToTable("agency_broker_access");
        builder.HasKey(a => a.AgencyCode);
        builder.Property(a => a.AgencyCode).HasMaxLength(32);
        builder.HasOne<Agency>().WithOne().HasForeignKey<AgencyBrokerAccess>(a => a.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.UserName).HasMaxLength(32);
        builder.Property(a => a.AlertQueue).HasMaxLength(64);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.StateDetail).HasMaxLength(500);
    }
}
