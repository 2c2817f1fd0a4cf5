using System.Globalization;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.GraphQL;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Alerts;

/// <summary>What one reader is shown of one alert: the words, the match (as the matches query releases it) and whom to call.</summary>
internal sealed record AlertContent(string Summary, Match? Match, Contact? Contact);

/// <summary>
/// Puts an alert into words for one reader. Everything about the other agency's record comes from the
/// <see cref="CounterpartView"/> the reader gets for the match (the one release rule): there is no second rule here,
/// only the choice of words and, for protective alerts to law enforcement about a victim-service organisation's
/// record, the omission of the match itself.
/// </summary>
internal static class AlertContents
{
    public static AlertContent Compose(HubPrincipal reader, Alert alert, Match match, StoredRecord? own, CounterpartView? counterpart,
        IReadOnlyDictionary<string, Agency> agencies)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(match);
        var party = match.AgencyA == reader.Agency || match.AgencyB == reader.Agency;
        if (!party || counterpart is null)
        {
            // The hub's watch centre, told of another agency's unacknowledged alert: whom to chase, nothing of the records.
            var addressed = agencies.TryGetValue(match.AgencyA, out var a) && agencies.TryGetValue(match.AgencyB, out var b)
                ? $"{a.Name} and {b.Name}"
                : "two member agencies";
            return new AlertContent(
                $"Escalated: an alert about {WithArticle(match.Kind)} between {addressed} has not been acknowledged in time. Call their supervisors.",
                null, null);
        }

        var ownWhat = own is null ? "your record" : $"your {Noun(own)} record {own.LocalId}";
        var otherAgency = counterpart.Agency?.Name ?? "another agency";
        var aboutVictimService = counterpart.Agency?.Kind == AgencyKind.VictimServices
            || (counterpart.Agency is null && OtherKind(match, reader, agencies) == AgencyKind.VictimServices);
        var protectiveForEnforcement = alert.Kind == AlertKind.Protective && reader.MayReachEnforcementData && aboutVictimService;
        var shownMatch = protectiveForEnforcement ? null : match;
        var what = alert.Kind switch
        {
            AlertKind.Protective when protectiveForEnforcement =>
                $"A person served by a victim-service organization is linked to this {Noun(own)} ({ownWhat}). Contact: the advocate.",
            AlertKind.Protective when !reader.MayReachEnforcementData =>
                $"A person you serve ({ownWhat}) is linked to a record of {otherAgency}. Contact its official below; it has been told to protect the person first.",
            AlertKind.Protective =>
                $"A victim is involved: {ownWhat} matches a record of {otherAgency} ({Words(match.Kind)}{Strength(counterpart)}). Handle as protective.",
            AlertKind.Deconfliction => counterpart.Release == Release.None
                ? $"Another agency holds a record that matches {ownWhat} ({Words(match.Kind)}). Its owner has been told and may call you."
                : $"Deconfliction: {ownWhat} matches a record of {otherAgency} ({Words(match.Kind)}{Strength(counterpart)}). Call its official before acting.",
            AlertKind.Escalated =>
                $"Escalated, not acknowledged in time: {ownWhat} matches a record of {otherAgency} ({Words(match.Kind)}).",
            AlertKind.Retraction =>
                $"Retracted: the {Words(match.Kind)} with {ownWhat} reported earlier no longer holds (a record was withdrawn or corrected).",
            AlertKind.Verdict =>
                $"{otherAgency} judged that its record and {ownWhat} are not the same person. If you disagree, contest the verdict (contestAdjudication).",
            _ => throw new InvalidOperationException($"Unknown alert kind {alert.Kind}."),
        };
        return new AlertContent(what, shownMatch, counterpart.Contact);
    }

    private static AgencyKind? OtherKind(Match match, HubPrincipal reader, IReadOnlyDictionary<string, Agency> agencies) =>
        agencies.TryGetValue(match.AgencyA == reader.Agency ? match.AgencyB : match.AgencyA, out var other) ? other.Kind : null;

    // The band in words, as the page's evidence says it ("likely the same person"), not the API's enum value.
    private static string Strength(CounterpartView counterpart) => counterpart.Band is { } band
        ? string.Create(CultureInfo.InvariantCulture,
            $", {(band.Equals("match", StringComparison.OrdinalIgnoreCase) ? "likely" : "possibly")} the same person{(counterpart.Score is { } s ? $", score {s:0.0}" : "")}")
        : "";

    private static string Noun(StoredRecord? record) => record?.Kind switch
    {
        RecordKind.Person => "person",
        RecordKind.Phone => "phone",
        RecordKind.Location => record.OperationWindow is null ? "place" : "operation",
        _ => "record",
    };

    private static string WithArticle(MatchKind kind) => kind == MatchKind.OperationConflict ? $"an {Words(kind)}" : $"a {Words(kind)}";

    public static string Words(MatchKind kind) => kind switch
    {
        MatchKind.PersonIdentity => "person match",
        MatchKind.SharedPhone => "shared phone",
        MatchKind.SharedPlace => "shared place",
        MatchKind.OperationConflict => "operation conflict",
        MatchKind.SubjectInOperation => "subject in an operation",
        _ => "match",
    };
}
