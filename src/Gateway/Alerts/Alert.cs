using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Feeds;

namespace SharingHub.Gateway.Alerts;

/// <summary>What an alert tells its addressees.</summary>
public enum AlertKind
{
    /// <summary>A match of the agency's record was found, or its band or score changed.</summary>
    Deconfliction,

    /// <summary>A match touches a victim or a victim-service organisation's record: routed to protect the person first.</summary>
    Protective,

    /// <summary>An alert was left unacknowledged too long: told to the next level up.</summary>
    Escalated,

    /// <summary>An earlier alert no longer holds (a record was withdrawn or corrected): 28 CFR 23.20(h).</summary>
    Retraction,

    /// <summary>The other agency judged a person-identity match NOT_SAME; the agency may contest it.</summary>
    Verdict,
}

/// <summary>Where an alert stands.</summary>
public enum AlertStatus
{
    /// <summary>Raised and not yet acknowledged.</summary>
    Open,

    /// <summary>Someone of the addressed agency acknowledged it.</summary>
    Acknowledged,

    /// <summary>The match it reported closed: a retraction was raised for it.</summary>
    Retracted,
}

/// <summary>Who in the addressed agency an alert is for.</summary>
public enum AlertAudience
{
    /// <summary>The record's control official and the agency's watch role: officers, analysts and supervisors.</summary>
    Officers,

    /// <summary>The agency's supervisors only (escalations, protective alerts to law enforcement).</summary>
    Supervisors,

    /// <summary>The victim-service organisation's advocates.</summary>
    Advocates,
}

/// <summary>
/// An alert to one agency about one match: persisted first (the source of truth), then read by the agency's
/// subscribers through the <c>alerts</c> change feed and published to the agency's alert queue by the relay. Written
/// in the transaction that changed the match, unique per (match, agency, audience, kind, fingerprint), so a redone
/// matching run cannot raise it twice. What it shows is decided when it is read, by the release rule of the match.
/// </summary>
public sealed class Alert : IFeedEntry
{
    /// <summary>The alert's id.</summary>
    public long Id { get; init; }

    /// <inheritdoc/>
    public long Tx { get; init; }

    /// <summary>The match it is about.</summary>
    public long MatchId { get; init; }

    /// <summary>The addressed agency.</summary>
    public required string AgencyCode { get; init; }

    /// <summary>Who in the agency it is for.</summary>
    public AlertAudience Audience { get; init; }

    /// <summary>What it tells.</summary>
    public AlertKind Kind { get; init; }

    /// <summary>Where it stands.</summary>
    public AlertStatus Status { get; set; }

    /// <summary>
    /// What raised it (the match's fingerprint with its band, or the id of the alert it relates to): the same change
    /// raises the same fingerprint, so a redone run inserts nothing.
    /// </summary>
    public required string Fingerprint { get; init; }

    /// <summary>The band the alert reported (person identity).</summary>
    public string? Band { get; init; }

    /// <summary>The score the alert reported (person identity): a later change beyond the threshold raises anew.</summary>
    public double? Score { get; init; }

    /// <summary>When it was raised.</summary>
    public DateTimeOffset RaisedAt { get; init; }

    /// <summary>When it was acknowledged.</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>Who acknowledged it (the token's subject).</summary>
    public string? AcknowledgedBy { get; set; }

    /// <summary>When it was escalated (an <see cref="AlertKind.Escalated"/> alert raised for it); null while not.</summary>
    public DateTimeOffset? EscalatedAt { get; set; }

    /// <summary>For escalations, retractions and verdicts: the alert this one is about.</summary>
    public long? RelatesToId { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that raised it (the matching run, the adjudication request): the relay
    /// publishes it as a child of that span (ADR-013). Null when it was raised outside a trace.
    /// </summary>
    public string? TraceParent { get; init; }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(a => new { a.MatchId, a.AgencyCode, a.Audience, a.Kind, a.Fingerprint }).IsUnique();
        // An agency's alerts, newest first (the API's keyset pages).
        builder.HasIndex(a => new { a.AgencyCode, a.Id });
        builder.HasIndex(a => a.RaisedAt).HasDatabaseName("ix_alerts_unescalated").HasFilter("status = 'Open' AND escalated_at IS NULL");
        builder.HasOne<Match>().WithMany().HasForeignKey(a => a.MatchId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agency>().WithMany().HasForeignKey(a => a.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Alert>().WithMany().HasForeignKey(a => a.RelatesToId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.AgencyCode).HasMaxLength(32);
        builder.Property(a => a.Audience).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Fingerprint).HasMaxLength(128);
        builder.Property(a => a.Band).HasMaxLength(16);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(200);
        builder.IsChangeFeed();
    }
}

/// <summary>
/// How far the relay has published the alerts to their agencies' queues (ADR-011): every alert at or before
/// (<see cref="Tx"/>, <see cref="AlertId"/>) in (writing transaction, id) order, the feeds' commit order, is delivered.
/// One row; the relay moves it in the transaction that awaited the broker's confirms, so delivering an alert writes
/// nothing to the alert itself.
/// </summary>
public sealed class AlertRelayCursor
{
    /// <summary>The one row's key (1).</summary>
    public short Id { get; init; }

    /// <summary>The writing transaction of the last alert delivered.</summary>
    public long Tx { get; set; }

    /// <summary>The id of the last alert delivered.</summary>
    public long AlertId { get; set; }
}

internal sealed class AlertRelayCursorConfiguration : IEntityTypeConfiguration<AlertRelayCursor>
{
    public void Configure(EntityTypeBuilder<AlertRelayCursor> builder)
    {
        builder.ToTable("alert_relay_cursor", t => t.HasCheckConstraint("ck_alert_relay_cursor_one_row", "id = 1"));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
    }
}
