using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SharingHub.Gateway.Audit;

/// <summary>
/// One row of the Gateway's append-only audit log: who did what to which target, when, and how it ended. The
/// database refuses UPDATE, DELETE and TRUNCATE on the table (see the migration), so a row stays as written.
/// General on purpose: operator commands write it today, reads of other agencies' data will tomorrow.
/// </summary>
public sealed class AuditEvent
{
    /// <summary>The row's id, in insertion order.</summary>
    public long Id { get; set; }

    /// <summary>When the action happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who acted: an operator's name (the OS user for the command line), a subject, a client id.</summary>
    public string Actor { get; set; } = "";

    /// <summary>What was done (see <see cref="AuditActions"/>).</summary>
    public string Action { get; set; } = "";

    /// <summary>What it was done to: a message id, a queue, a record key. Identifiers only.</summary>
    public string? Target { get; set; }

    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded { get; set; }

    /// <summary>Reasons, counts, identifiers. Never record contents, never secrets.</summary>
    public string? Detail { get; set; }
}

/// <summary>Names of audited actions.</summary>
public static class AuditActions
{
    /// <summary>The error queue's reasons were listed.</summary>
    public const string ErrorsList = "errors.list";

    /// <summary>One error message's reasons were shown.</summary>
    public const string ErrorsShow = "errors.show";

    /// <summary>An error message was sent back to the records queue.</summary>
    public const string ErrorsReplay = "errors.replay";

    /// <summary>The error queue was emptied.</summary>
    public const string ErrorsPurge = "errors.purge";
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.Property(e => e.Actor).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Target).HasMaxLength(300);
        builder.Property(e => e.Detail).HasMaxLength(4000);
        builder.HasIndex(e => e.OccurredAt);
    }
}
