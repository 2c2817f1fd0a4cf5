using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Rules;

namespace SharingHub.Gateway.Records;

/// <summary>
/// A shared record as the hub stores it: one row per (agency, kind, localId), whatever its kind, with the
/// normalized forms matching needs. Rows are written set-based by <see cref="RecordBatchWriter"/>; EF maps
/// them for reads and migrations. A withdrawn record keeps its key and version (a tombstone) and loses its
/// content.
/// </summary>
public sealed class StoredRecord
{
    /// <summary>The hub's id of the record; what matches and alerts refer to.</summary>
    public long Id { get; init; }

    /// <summary>The owning agency, taken from the broker-validated AMQP user_id.</summary>
    public required string AgencyCode { get; init; }

    /// <summary>Person, phone or location.</summary>
    public RecordKind Kind { get; init; }

    /// <summary>The record's id in the agency's system.</summary>
    public required string LocalId { get; init; }

    /// <summary>The stored version; older or equal versions are ignored.</summary>
    public long Version { get; set; }

    /// <summary>When the record was withdrawn; <see langword="null"/> while it is shared.</summary>
    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>When the hub first stored the record.</summary>
    public DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>When the hub last stored a new version.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The broker message that carried the stored version.</summary>
    public Guid? LastMessageId { get; set; }

    /// <summary>Phones and locations: the local id of the agency's person they belong to.</summary>
    public string? SubjectRef { get; set; }

    /// <summary>Label: what a counterpart may see.</summary>
    public Sensitivity? Sensitivity { get; set; }

    /// <summary>Label: confidence in the content.</summary>
    public Confidence? Confidence { get; set; }

    /// <summary>Label: the control official's name.</summary>
    public string? ControlOfficialName { get; set; }

    /// <summary>Label: how to reach the control official (E.164 phone or email).</summary>
    public string? ControlOfficialChannel { get; set; }

    /// <summary>Label: the agency's case reference.</summary>
    public string? CaseTrackingId { get; set; }

    /// <summary>Label: the 28 CFR 23 justification.</summary>
    public string? Justification { get; set; }

    /// <summary>Label: the review date.</summary>
    public DateOnly? ReviewDate { get; set; }

    /// <summary>Person: the role in the agency's case.</summary>
    public PersonRole? Role { get; set; }

    /// <summary>Person: given name(s).</summary>
    public string? GivenName { get; set; }

    /// <summary>Person: surname(s).</summary>
    public string? Surname { get; set; }

    /// <summary>Person: aliases.</summary>
    public string[]? Aliases { get; set; }

    /// <summary>Person: birth year, when known.</summary>
    public short? BirthYear { get; set; }

    /// <summary>Person: birth month, when known.</summary>
    public short? BirthMonth { get; set; }

    /// <summary>Person: birth day, when known.</summary>
    public short? BirthDay { get; set; }

    /// <summary>Person: sex.</summary>
    public PersonSex? Sex { get; set; }

    /// <summary>Person: identifiers as a JSON array of <c>{category, id, jurisdiction}</c>.</summary>
    public string? Identifiers { get; set; }

    /// <summary>Phone: the number as the agency wrote it.</summary>
    public string? PhoneRaw { get; set; }

    /// <summary>Phone: the number in E.164 form.</summary>
    public string? PhoneE164 { get; set; }

    /// <summary>Phone: the days the number was in use (inclusive; unbounded ends are unknown or ongoing).</summary>
    public NpgsqlRange<DateOnly>? PhoneValidity { get; set; }

    /// <summary>Location: the address in one line.</summary>
    public string? Address { get; set; }

    /// <summary>Location: latitude (WGS 84). The database also keeps it as the PostGIS geography <c>geog</c>.</summary>
    public double? Latitude { get; set; }

    /// <summary>Location: longitude (WGS 84).</summary>
    public double? Longitude { get; set; }

    /// <summary>Planned operation: the radius of its area in metres.</summary>
    public double? RadiusMeters { get; set; }

    /// <summary>Planned operation: its time window, <c>[start, end)</c>.</summary>
    public NpgsqlRange<DateTime>? OperationWindow { get; set; }
}

/// <summary>
/// The <c>features</c> column of a record's row: the normalized matching fields, precomputed when the record was
/// written (<c>SharingHub.Matching.Features.RecordFeatures</c>, ADR-005). Split from <see cref="StoredRecord"/> (one
/// table, two entity types) so that reading a record to show it does not carry them: the store path writes them and
/// the matcher reads them with their own SQL.
/// </summary>
public sealed class StoredRecordFeatures
{
    /// <summary>The record's id.</summary>
    public long Id { get; set; }

    /// <summary>The encoded features; null until written, and cleared whenever the record changes.</summary>
    public byte[]? Features { get; set; }
}

internal sealed class StoredRecordConfiguration : IEntityTypeConfiguration<StoredRecord>
{
    public void Configure(EntityTypeBuilder<StoredRecord> builder)
    {
        builder.ToTable("records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(r => new { r.AgencyCode, r.Kind, r.LocalId }).IsUnique();
        builder.HasIndex(r => new { r.AgencyCode, r.SubjectRef }).HasFilter("subject_ref IS NOT NULL");
        builder.HasOne<Agency>().WithMany().HasForeignKey(r => r.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<StoredRecordFeatures>().WithOne().HasForeignKey<StoredRecordFeatures>(f => f.Id);

        builder.Property(r => r.AgencyCode).HasMaxLength(32);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.LocalId).HasMaxLength(RecordLimits.MaxLocalIdLength);
        builder.Property(r => r.SubjectRef).HasMaxLength(RecordLimits.MaxLocalIdLength);
        builder.Property(r => r.Sensitivity).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Confidence).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.ControlOfficialName).HasMaxLength(RecordLimits.MaxControlOfficialNameLength);
        builder.Property(r => r.ControlOfficialChannel).HasMaxLength(RecordLimits.MaxChannelLength);
        builder.Property(r => r.CaseTrackingId).HasMaxLength(RecordLimits.MaxCaseRefLength);
        builder.Property(r => r.Justification).HasMaxLength(RecordLimits.MaxJustificationLength);
        builder.Property(r => r.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.GivenName).HasMaxLength(RecordLimits.MaxNameLength);
        builder.Property(r => r.Surname).HasMaxLength(RecordLimits.MaxNameLength);
        builder.Property(r => r.Sex).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Identifiers).HasColumnType("jsonb");
        builder.Property(r => r.PhoneRaw).HasMaxLength(RecordLimits.MaxPhoneLength);
        builder.Property(r => r.PhoneE164).HasMaxLength(16);
        builder.Property(r => r.Address).HasMaxLength(RecordLimits.MaxAddressLength);
    }
}

internal sealed class StoredRecordFeaturesConfiguration : IEntityTypeConfiguration<StoredRecordFeatures>
{
    public void Configure(EntityTypeBuilder<StoredRecordFeatures> builder)
    {
        builder.ToTable("records");
        builder.HasKey(f => f.Id);
    }
}
