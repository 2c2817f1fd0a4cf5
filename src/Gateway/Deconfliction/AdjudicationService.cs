using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>The match does not exist, or the caller's agency is not one of its two (the same answer, so ids cannot be probed).</summary>
public sealed class MatchNotFoundException(long matchId) : Exception($"match {matchId} was not found")
{
    /// <summary>The id asked for.</summary>
    public long MatchId { get; } = matchId;
}

/// <summary>An adjudication that cannot be stored as given (e.g. a note too long), with the reason.</summary>
public sealed class InvalidAdjudicationException(string reason) : Exception(reason);

/// <summary>The caller may see the match but not make this judgement on it (e.g. NOT_SAME on a victim's match without being a supervisor).</summary>
public sealed class AdjudicationForbiddenException(string reason) : Exception(reason);

/// <summary>
/// Stores an agency's judgement on a match. <see cref="AdjudicationDecision.NotSame"/> suppresses the pair for every
/// agency: the matcher keeps re-scoring it but raises no event while both records' matching fields are unchanged
/// (the pair's fingerprint at adjudication time). A change in a matching field of either record lifts it.
/// </summary>
public sealed class AdjudicationService
{
    /// <summary>Longest note accepted.</summary>
    public const int MaxNoteLength = 2000;

    private readonly HubDbContext _db;
    private readonly MatchableLoader _loader;
    private readonly TimeProvider _time;

    internal AdjudicationService(HubDbContext db, MatchableLoader loader, TimeProvider time)
    {
        _db = db;
        _loader = loader;
        _time = time;
    }

    /// <summary>
    /// Records <paramref name="decision"/> on match <paramref name="matchId"/> by <paramref name="userId"/> of
    /// <paramref name="agencyCode"/>. Throws <see cref="MatchNotFoundException"/> when the match is not one of that
    /// agency's, <see cref="InvalidAdjudicationException"/> for bad input.
    /// </summary>
    public Task<Adjudication> AdjudicateAsync(long matchId, AdjudicationDecision decision, string agencyCode, string userId, string? note,
        CancellationToken cancellationToken = default) =>
        AdjudicateAsync(matchId, decision, agencyCode, userId, note, bySupervisor: false, cancellationToken);

    /// <summary>As the other overload, with whether the deciding user is a supervisor.</summary>
    /// <remarks>
    /// Only a person-identity match is judged: shared phones and places, operation conflicts and subjects in operations
    /// are facts, acknowledged through their alerts, never dismissed. NOT_SAME on a match that touches a victim (a
    /// victim's record or a victim-service organisation's) needs <paramref name="bySupervisor"/>
    /// (<see cref="AdjudicationForbiddenException"/>); NOT_SAME tells the other agency with a
    /// <see cref="Alerts.AlertKind.Verdict"/> alert, in the same transaction.
    /// </remarks>
    public async Task<Adjudication> AdjudicateAsync(long matchId, AdjudicationDecision decision, string agencyCode, string userId, string? note,
        bool bySupervisor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agencyCode);
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new InvalidAdjudicationException("an adjudication needs the deciding user");
        }
        if (!Enum.IsDefined(decision))
        {
            throw new InvalidAdjudicationException("the decision must be Same or NotSame");
        }
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note is { Length: > MaxNoteLength })
        {
            throw new InvalidAdjudicationException($"the note is longer than {MaxNoteLength} characters");
        }

        await using var transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        var match = await _db.Set<Match>()
            .FromSql($"SELECT * FROM matches WHERE id = {matchId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (match is null || (match.AgencyA != agencyCode && match.AgencyB != agencyCode))
        {
            throw new MatchNotFoundException(matchId);
        }
        if (match.Kind != MatchKind.PersonIdentity)
        {
            throw new InvalidAdjudicationException(
                $"only a PERSON_IDENTITY match can be adjudicated: a {match.Kind} match is a fact; acknowledge its alert, it cannot be dismissed");
        }
        var otherAgency = match.AgencyA == agencyCode ? match.AgencyB : match.AgencyA;
        var otherKind = await _db.Agencies.Where(x => x.Code == otherAgency).Select(x => x.Kind).SingleAsync(cancellationToken);
        if (decision == AdjudicationDecision.NotSame && !bySupervisor)
        {
            var ownKind = await _db.Agencies.Where(x => x.Code == agencyCode).Select(x => x.Kind).SingleAsync(cancellationToken);
            var victim = otherKind == AgencyKind.VictimServices || ownKind == AgencyKind.VictimServices
                || await _db.Records.AnyAsync(r => (r.Id == match.RecordAId || r.Id == match.RecordBId) && r.Role == Contracts.V1.PersonRole.Victim, cancellationToken);
            if (victim)
            {
                throw new AdjudicationForbiddenException("NOT_SAME on a match that touches a victim needs a supervisor");
            }
        }

        // The records as they are now: the officer judged these, so only a later change in a matching field lifts it.
        var connection = (NpgsqlConnection)_db.Database.GetDbConnection();
        var records = await _loader.LoadAsync(connection, [match.RecordAId, match.RecordBId], cancellationToken);
        var fingerprint = records.TryGetValue(match.RecordAId, out var a) && records.TryGetValue(match.RecordBId, out var b)
            ? MatchFingerprint.Pair(a.Fingerprint, b.Fingerprint)
            : match.Fingerprint;

        var now = _time.GetUtcNow();
        var adjudication = new Adjudication
        {
            MatchId = match.Id,
            Decision = decision,
            AgencyCode = agencyCode,
            UserId = userId,
            Note = note,
            DecidedAt = now,
            Fingerprint = fingerprint,
        };
        _db.Add(adjudication);
        match.Adjudication = decision;
        match.Suppressed = decision == AdjudicationDecision.NotSame;
        match.DismissedFingerprint = decision == AdjudicationDecision.NotSame ? fingerprint : null;
        match.ChangedAt = now;
        _db.Add(new MatchEvent { MatchId = match.Id, Type = MatchEventType.MatchAdjudicated, OccurredAt = now });
        await _db.SaveChangesAsync(cancellationToken);
        await QueueForClustersAsync(match, cancellationToken);
        if (decision == AdjudicationDecision.NotSame)
        {
            // The other agency is told, in the same transaction, and may contest it.
            _db.Add(new Alerts.Alert
            {
                MatchId = match.Id,
                AgencyCode = otherAgency,
                Audience = otherKind == AgencyKind.VictimServices ? Alerts.AlertAudience.Advocates : Alerts.AlertAudience.Officers,
                Kind = Alerts.AlertKind.Verdict,
                Status = Alerts.AlertStatus.Open,
                Fingerprint = $"verdict:{adjudication.Id}",
                RaisedAt = now,
                TraceParent = Telemetry.CurrentTraceParent(),
            });
            await _db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return adjudication;
    }

    /// <summary>
    /// <paramref name="agencyCode"/> contests the other agency's standing NOT_SAME verdict on match
    /// <paramref name="matchId"/>: the verdict is lifted and the match reopened (it raises alerts again as it changes).
    /// Throws <see cref="MatchNotFoundException"/> when the match is not one of that agency's,
    /// <see cref="InvalidAdjudicationException"/> when there is no such verdict to contest.
    /// </summary>
    public async Task ContestAsync(long matchId, string agencyCode, string userId, string? note, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agencyCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note is { Length: > MaxNoteLength })
        {
            throw new InvalidAdjudicationException($"the note is longer than {MaxNoteLength} characters");
        }
        await using var transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        var match = await _db.Set<Match>()
            .FromSql($"SELECT * FROM matches WHERE id = {matchId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (match is null || (match.AgencyA != agencyCode && match.AgencyB != agencyCode))
        {
            throw new MatchNotFoundException(matchId);
        }
        var verdict = await _db.Adjudications
            .Where(a => a.MatchId == matchId && a.Decision == AdjudicationDecision.NotSame && a.LiftedAt == null)
            .OrderByDescending(a => a.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (!match.Suppressed || verdict is null)
        {
            throw new InvalidAdjudicationException("the match has no standing NOT_SAME verdict to contest");
        }
        if (verdict.AgencyCode == agencyCode)
        {
            throw new InvalidAdjudicationException("the verdict is your agency's own: adjudicate the match SAME instead of contesting it");
        }
        var now = _time.GetUtcNow();
        verdict.LiftedAt = now;
        verdict.ContestedBy = agencyCode;
        verdict.ContestNote = note;
        match.Suppressed = false;
        match.Adjudication = null;
        match.DismissedFingerprint = null;
        match.ChangedAt = now;
        _db.Add(new MatchEvent { MatchId = match.Id, Type = MatchEventType.MatchChanged, OccurredAt = now });
        await _db.SaveChangesAsync(cancellationToken);
        await QueueForClustersAsync(match, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// A verdict suppresses or restores the match as a cluster link (ADR-010): both persons are queued for their
    /// subject cluster, in the verdict's transaction.
    /// </summary>
    private Task<int> QueueForClustersAsync(Match match, CancellationToken cancellationToken) =>
        _db.Database.ExecuteSqlAsync($"""
            INSERT INTO cluster_pending (record_id, queued_at) VALUES ({match.RecordAId}, now()), ({match.RecordBId}, now())
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at
            """, cancellationToken);
}
