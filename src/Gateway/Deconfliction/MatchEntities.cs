using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Feeds;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>The deconfliction hit a match records.</summary>
public enum MatchKind
{
    /// <summary>Two agencies' person records are probably the same human (band Match or Possible).</summary>
    PersonIdentity,

    /// <summary>Two agencies' phone records carry the same E.164 number in overlapping periods.</summary>
    SharedPhone,

    /// <summary>Two agencies' places are the same address or close together.</summary>
    SharedPlace,

    /// <summary>Two agencies' planned operations overlap in area and time.</summary>
    OperationConflict,

    /// <summary>A subject's known place lies inside another agency's planned operation, in its window.</summary>
    SubjectInOperation,
}

/// <summary>Why a match was closed.</summary>
public enum MatchCloseReason
{
    /// <summary>One of the two records was withdrawn.</summary>
    Withdrawn,

    /// <summary>A re-score found no hit any more (the records changed).</summary>
    NoLongerMatches,
}

/// <summary>An agency's judgement on a match.</summary>
public enum AdjudicationDecision
{
    /// <summary>The two records are the same person / the hit is real.</summary>
    Same,

    /// <summary>Not the same: the pair is not raised again until one record changes in a matching field.</summary>
    NotSame,
}

/// <summary>What happened to a match, as the change feed (<c>match_events</c>) reports it.</summary>
public enum MatchEventType
{
    /// <summary>A new match (first stored).</summary>
    MatchFound,

    /// <summary>A stored match changed: score, band, explanation or subjects, reopened, or a NotSame lifted.</summary>
    MatchChanged,

    /// <summary>A match was closed (withdrawal or no longer a hit).</summary>
    MatchClosed,

    /// <summary>An agency adjudicated the match.</summary>
    MatchAdjudicated,
}

/// <summary>
/// A deconfliction hit between records of two different agencies, unique per unordered record pair
/// (<see cref="RecordAId"/> &lt; <see cref="RecordBId"/>) and kind. Written set-based by the matcher; EF maps it for
/// reads, adjudication and migrations.
/// </summary>
public sealed class Match
{
    /// <summary>The match's id.</summary>
    public long Id { get; init; }

    /// <summary>The kind of hit.</summary>
    public MatchKind Kind { get; init; }

    /// <summary>The record with the lower id.</summary>
    public long RecordAId { get; init; }

    /// <summary>The record with the higher id.</summary>
    public long RecordBId { get; init; }

    /// <summary>The agency of record A.</summary>
    public required string AgencyA { get; init; }

    /// <summary>The agency of record B.</summary>
    public required string AgencyB { get; init; }

    /// <summary>Phone/place hits: the person record that record A points to (its subject), when known.</summary>
    public long? SubjectAId { get; set; }

    /// <summary>Phone/place hits: the person record that record B points to, when known.</summary>
    public long? SubjectBId { get; set; }

    /// <summary>Person identity: the score in bits (null for rule-based hits).</summary>
    public double? Score { get; set; }

    /// <summary>Person identity: <c>Match</c> or <c>Possible</c> (null for rule-based hits).</summary>
    public string? Band { get; set; }

    /// <summary>Why: per-field agreement and weight (persons) or the rule that fired (phones, places, operations), as JSON.</summary>
    public required string Explanation { get; set; }

    /// <summary>Person identity: the parameter-file version that produced the score.</summary>
    public string? ParametersVersion { get; set; }

    /// <summary>Fingerprint of both records' matching fields when last scored (see <see cref="MatchFingerprint"/>).</summary>
    public required string Fingerprint { get; set; }

    /// <summary>When the pair was first found.</summary>
    public DateTimeOffset FirstFoundAt { get; init; }

    /// <summary>When the match last changed (found, re-scored differently, closed, reopened, adjudicated).</summary>
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>Start of the matching run that last evaluated the pair; a run that started earlier never overwrites it.</summary>
    public DateTimeOffset ScoredAt { get; set; }

    /// <summary>When the match was closed; null while open.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Why it was closed.</summary>
    public MatchCloseReason? CloseReason { get; set; }

    /// <summary>The latest adjudication's decision, if any.</summary>
    public AdjudicationDecision? Adjudication { get; set; }

    /// <summary>A NotSame adjudication holds: the pair raises no events while <see cref="Fingerprint"/> equals <see cref="DismissedFingerprint"/>.</summary>
    public bool Suppressed { get; set; }

    /// <summary>The fingerprint at the NotSame adjudication; a re-score with another fingerprint lifts the suppression.</summary>
    public string? DismissedFingerprint { get; set; }
}

/// <summary>A stored judgement on a match by one agency's user.</summary>
public sealed class Adjudication
{
    /// <summary>The adjudication's id.</summary>
    public long Id { get; init; }

    /// <summary>The match judged.</summary>
    public long MatchId { get; init; }

    /// <summary>Same or NotSame.</summary>
    public AdjudicationDecision Decision { get; init; }

    /// <summary>The judging agency (one of the match's two).</summary>
    public required string AgencyCode { get; init; }

    /// <summary>The judging user (the token's subject).</summary>
    public required string UserId { get; init; }

    /// <summary>The user's note.</summary>
    public string? Note { get; init; }

    /// <summary>When it was made.</summary>
    public DateTimeOffset DecidedAt { get; init; }

    /// <summary>The match's fingerprint (both records' matching fields) at the time.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>NotSame only: when a change in a matching field, or the other agency's contest, lifted it.</summary>
    public DateTimeOffset? LiftedAt { get; set; }

    /// <summary>NotSame only: the agency that contested it (the match's other agency), which reopened the match.</summary>
    public string? ContestedBy { get; set; }

    /// <summary>The contesting user's note.</summary>
    public string? ContestNote { get; set; }
}

/// <summary>
/// One entry of the matches change feed (an outbox the alerts feature drains, and the feed behind the
/// <c>matchEvents</c> subscription, read in commit order through <see cref="IFeedEntry"/>).
/// </summary>
public sealed class MatchEvent : IFeedEntry
{
    /// <summary>The event's id (increasing, but not in commit order).</summary>
    public long Id { get; init; }

    /// <summary>The match.</summary>
    public long MatchId { get; init; }

    /// <summary>What happened.</summary>
    public MatchEventType Type { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>When a consumer (alerts) handled it; null while pending.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <inheritdoc/>
    public long Tx { get; init; }
}

/// <summary>A blocking key of a record (kind = what the key was derived from).</summary>
public sealed class RecordKey
{
    /// <summary>The key text, e.g. <c>p:+17135550199</c>.</summary>
    public required string Key { get; init; }

    /// <summary>The record kind the key belongs to (see <see cref="KeyedKind"/>).</summary>
    public short Kind { get; init; }

    /// <summary>The record.</summary>
    public long RecordId { get; init; }

    /// <summary>The record's agency (candidates come from other agencies only).</summary>
    public required string AgencyCode { get; init; }

    /// <summary>Phones and places: the subject person's record id when keyed (so a move re-keys the old subject).</summary>
    public long? SubjectId { get; init; }
}

/// <summary>A record whose matching is not done yet: written with its keys, deleted when its matches are written.</summary>
public sealed class MatchPending
{
    /// <summary>The record.</summary>
    public long RecordId { get; init; }

    /// <summary>When it was (last) queued; a run deletes the marker only if it is unchanged.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>Failed sweeps so far.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that queued it (the store of its batch): a sweep that runs it links to
    /// that trace (ADR-013). Null when queued outside a trace.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>
/// A blocking key that, seen from one agency, is shared by more records of other agencies than the lookup reads: a
/// stop key (ADR-005). The matcher notes each one it meets, and later lookups from that agency skip the key instead of
/// reading its first records again only to find the block too large. A note is trusted for
/// <see cref="DeconflictionOptions.StopKeyHours"/> and while the caps are no higher than when it was taken; it is a
/// cache, emptied when the key scheme changes or records are deleted.
/// </summary>
public sealed class StopKey
{
    /// <summary>The key.</summary>
    public required string Key { get; init; }

    /// <summary>What the looking-up record's key was derived from (its <c>record_keys.kind</c>, a <see cref="KeyedKind"/>).</summary>
    public short Kind { get; init; }

    /// <summary>The looking-up record's agency: the block counts other agencies' records only.</summary>
    public required string AgencyCode { get; init; }

    /// <summary>How many records the lookup read before it stopped: the block holds at least this many.</summary>
    public int AtLeast { get; init; }

    /// <summary>When the block was last seen over the cap.</summary>
    public DateTimeOffset FoundAt { get; init; }
}

/// <summary>
/// The key scheme of the stored keys (one row): <see cref="Version"/> is the scheme every record is keyed with; while
/// an upgrade re-keys them, <see cref="RekeyingTo"/> is the new scheme and <see cref="RekeyedThrough"/> the highest
/// record id done, so a restart resumes there.
/// </summary>
public sealed class KeyScheme
{
    /// <summary>Always 1: the table has one row.</summary>
    public int Id { get; init; }

    /// <summary>The scheme every stored record's keys follow (0: not known, as in a database from before versions).</summary>
    public int Version { get; set; }

    /// <summary>The scheme a running re-key is bringing the records to.</summary>
    public int? RekeyingTo { get; set; }

    /// <summary>Records up to this id are re-keyed.</summary>
    public long RekeyedThrough { get; set; }
}

/// <summary>What a blocking key was derived from; candidates pair person–person, phone–phone, place–place, place–operation, operation–operation.</summary>
public enum KeyedKind : short
{
    /// <summary>A person (with its phones and places).</summary>
    Person = 1,

    /// <summary>A phone record.</summary>
    Phone = 2,

    /// <summary>A place (a location that is not a planned operation).</summary>
    Place = 3,

    /// <summary>A planned operation.</summary>
    Operation = 4,
}

internal sealed class MatchConfiguration : IEntityTypeConfiguration<Match>
{
    public void Configure(EntityTypeBuilder<Match> builder)
    {
        builder.ToTable("matches", t => t.HasCheckConstraint("ck_matches_pair_order", "record_a_id < record_b_id"));
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(m => new { m.RecordAId, m.RecordBId, m.Kind }).IsUnique();
        builder.HasIndex(m => m.RecordBId);
        builder.HasIndex(m => m.ChangedAt);
        // An agency's matches, newest first (the API's keyset pages: agency_a = X OR agency_b = X, id < cursor).
        builder.HasIndex(m => new { m.AgencyA, m.Id });
        builder.HasIndex(m => new { m.AgencyB, m.Id });
        builder.HasOne<StoredRecord>().WithMany().HasForeignKey(m => m.RecordAId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<StoredRecord>().WithMany().HasForeignKey(m => m.RecordBId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.AgencyA).HasMaxLength(32);
        builder.Property(m => m.AgencyB).HasMaxLength(32);
        builder.Property(m => m.Band).HasMaxLength(16);
        builder.Property(m => m.Explanation).HasColumnType("jsonb");
        builder.Property(m => m.ParametersVersion).HasMaxLength(64);
        builder.Property(m => m.Fingerprint).HasMaxLength(64);
        builder.Property(m => m.DismissedFingerprint).HasMaxLength(64);
        builder.Property(m => m.CloseReason).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.Adjudication).HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class AdjudicationConfiguration : IEntityTypeConfiguration<Adjudication>
{
    public void Configure(EntityTypeBuilder<Adjudication> builder)
    {
        builder.ToTable("adjudications");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(a => a.MatchId);
        builder.HasOne<Match>().WithMany().HasForeignKey(a => a.MatchId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agency>().WithMany().HasForeignKey(a => a.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.Decision).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.AgencyCode).HasMaxLength(32);
        builder.Property(a => a.UserId).HasMaxLength(200);
        builder.Property(a => a.Note).HasMaxLength(AdjudicationService.MaxNoteLength);
        builder.Property(a => a.Fingerprint).HasMaxLength(64);
        builder.Property(a => a.ContestedBy).HasMaxLength(32);
        builder.Property(a => a.ContestNote).HasMaxLength(AdjudicationService.MaxNoteLength);
    }
}

internal sealed class MatchEventConfiguration : IEntityTypeConfiguration<MatchEvent>
{
    public void Configure(EntityTypeBuilder<MatchEvent> builder)
    {
        builder.ToTable("match_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(e => e.MatchId);
        builder.HasIndex(e => e.Id).HasDatabaseName("ix_match_events_undispatched").HasFilter("dispatched_at IS NULL");
        builder.HasOne<Match>().WithMany().HasForeignKey(e => e.MatchId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(32);
        builder.IsChangeFeed();
    }
}

internal sealed class RecordKeyConfiguration : IEntityTypeConfiguration<RecordKey>
{
    public void Configure(EntityTypeBuilder<RecordKey> builder)
    {
        builder.ToTable("record_keys");
        // The primary key serves "replace a record's keys"; the lookup index serves "who else has this key": with the
        // agency in the key, a lookup reads the other agencies' entries as two ranges (below and above its own) and
        // never walks its own agency's, however many of them share the key.
        builder.HasKey(k => new { k.RecordId, k.Kind, k.Key });
        builder.HasIndex(k => new { k.Key, k.Kind, k.AgencyCode }).HasDatabaseName("ix_record_keys_lookup").IncludeProperties(k => k.RecordId);
        // No foreign key to records: these rows are written ~10 per record on the ingest path, records are never
        // deleted (a withdrawal is a tombstone), and the writer replaces a record's keys in the record's transaction.
        // Keys are ASCII and only ever compared for equality: byte order is the cheapest collation.
        builder.Property(k => k.Key).HasMaxLength(200).UseCollation("C");
        builder.Property(k => k.AgencyCode).HasMaxLength(32);
    }
}

internal sealed class MatchPendingConfiguration : IEntityTypeConfiguration<MatchPending>
{
    public void Configure(EntityTypeBuilder<MatchPending> builder)
    {
        builder.ToTable("match_pending");
        builder.HasKey(p => p.RecordId);
        builder.Property(p => p.RecordId).ValueGeneratedNever();
        builder.HasIndex(p => p.QueuedAt);
    }
}

internal sealed class StopKeyConfiguration : IEntityTypeConfiguration<StopKey>
{
    public void Configure(EntityTypeBuilder<StopKey> builder)
    {
        builder.ToTable("stop_keys");
        builder.HasKey(k => new { k.Key, k.Kind, k.AgencyCode });
        builder.Property(k => k.Key).HasMaxLength(200).UseCollation("C");
        builder.Property(k => k.AgencyCode).HasMaxLength(32);
    }
}

internal sealed class KeySchemeConfiguration : IEntityTypeConfiguration<KeyScheme>
{
    public void Configure(EntityTypeBuilder<KeyScheme> builder)
    {
        builder.ToTable("key_scheme", t => t.HasCheckConstraint("ck_key_scheme_single_row", "id = 1"));
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        // A database from before scheme versions: every record is re-keyed once.
        builder.HasData(new KeyScheme { Id = 1, Version = 0 });
    }
}
