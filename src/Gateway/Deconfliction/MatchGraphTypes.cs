using System.Globalization;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// <c>Match</c>: a hit between one of the caller's records and another agency's. Everything about the other side,
/// the score and the explanation included, comes from the <see cref="CounterpartView"/>, which applies the release
/// rule; the match row itself is never shown raw.
/// </summary>
internal sealed class MatchGraphType : ObjectGraphType<Match>
{
    public MatchGraphType()
    {
        Name = "Match";
        Description = "A hit between one of your agency's records and another agency's.";
        Field<NonNullGraphType<IdGraphType>>("id").Reads(s => s.Id.ToString(CultureInfo.InvariantCulture));
        Field<NonNullGraphType<MatchKindGraphType>>("kind").Reads(s => s.Kind);
        Field<FloatGraphType>("score")
            .Description("Person identity: the score in bits; null for rule-based hits and when the other record releases nothing.")
            .ReadsCounterpart(v => v.Score);
        Field<MatchBandGraphType>("band")
            .Description("Person identity: MATCH or POSSIBLE; null for rule-based hits and when the other record releases nothing.")
            .ReadsCounterpart(v => v.Band);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ExplanationLineGraphType>>>>("explanation")
            .Description("Why it matched, field by field: only the lines the other record's sensitivity releases.")
            .ReadsCounterpart(v => v.Explanation)
            // At most one line per compared field (about ten), not the analyzer's default list size.
            .Configure(f => f.WithComplexityImpact(1, 10));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Reads(s => s.FirstFoundAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Reads(s => s.ChangedAt);
        Field<NonNullGraphType<BooleanGraphType>>("open").Description("False once a withdrawal or a change ended it.").Reads(s => s.ClosedAt is null);
        Field<DateTimeOffsetGraphType>("closedAt").Reads(s => s.ClosedAt);
        Field<NonNullGraphType<Records.RecordGraphType>>("own")
            .Description("Your agency's record in the match.")
            .ReadsLoaded(TryReadOwn, (match, hub) => hub.Own(match));
        Field<NonNullGraphType<CounterpartGraphType>>("counterpart")
            .Description("What the other agency's record releases to you.")
            .ReadsCounterpart(v => v);
        Field<MatchClusterGraphType>("cluster")
            .Description("Person identity: the subject cluster that holds both records (the person records the hub believes are one human, " +
                "at most one per agency); null when there is none or the other record releases nothing.")
            .Resolve(c => c.Source.Kind == MatchKind.PersonIdentity ? c.Hub().Cluster(c.Source) : null);
        Field<AdjudicationGraphType>("adjudication")
            .Description("Person identity: the latest verdict, if any.")
            .Reads(s => s.Adjudication is { } verdict ? new AdjudicationView(verdict, s.Suppressed) : null);
    }

    private static bool TryReadOwn(Match match, HubRequestContext hub, out object? value)
    {
        var loaded = hub.TryOwn(match, out var record);
        value = record;
        return loaded;
    }
}

/// <summary>Fields of a match read from its <see cref="CounterpartView"/>.</summary>
internal static class CounterpartFields
{
    /// <summary>
    /// Resolves the field as <paramref name="read"/> of the match's counterpart view: at once when the records it needs
    /// are loaded, else once the loaders have run.
    /// </summary>
    public static FieldBuilder<Match, TReturn> ReadsCounterpart<TReturn>(this FieldBuilder<Match, TReturn> field, Func<CounterpartView, object?> read) =>
        field.ReadsLoaded(
            (Match match, HubRequestContext hub, out object? value) =>
            {
                var ready = hub.TryCounterpart(match, out var view);
                value = ready ? read(view!) : null;
                return ready;
            },
            (match, hub) => hub.WithCounterpart(match, read));
}

/// <summary>
/// <c>MatchEvent</c>: one change of a match, from the <c>matchEvents</c> subscription. The match is read when the
/// event is delivered, through the caller's visible matches, so it shows the match as it is now.
/// </summary>
internal sealed class MatchEventGraphType : ObjectGraphType<MatchEvent>
{
    public MatchEventGraphType()
    {
        Name = "MatchEvent";
        Description = "A match of your agency's was found, changed, closed or adjudicated.";
        Field<NonNullGraphType<StringGraphType>>("cursor")
            .Description("Pass it as matchEvents(after:) when reconnecting to receive what came after this event.")
            .Resolve(c => Feeds.FeedCursor.Of(c.Source).Encode());
        Field<NonNullGraphType<MatchEventTypeGraphType>>("type").Reads(s => s.Type);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("occurredAt").Reads(s => s.OccurredAt);
        Field<NonNullGraphType<MatchGraphType>>("match")
            .ResolveAsync(async c => await HubQuery.FindVisibleMatchAsync(c, c.Source.MatchId.ToString(CultureInfo.InvariantCulture)));
    }
}

internal sealed class MatchEventTypeGraphType : EnumerationGraphType<MatchEventType>
{
    public MatchEventTypeGraphType() => Name = "MatchEventType";
}

/// <summary>A record's subject cluster: its id (the lowest member record id, never shown) and how many records, one per agency, it holds.</summary>
internal sealed record ClusterOf(long ClusterId, int Size);

/// <summary>What a match shows of its subject cluster: the number of agencies only.</summary>
internal sealed record ClusterView(int AgencyCount);

internal sealed class MatchClusterGraphType : ObjectGraphType<ClusterView>
{
    public MatchClusterGraphType()
    {
        Name = "MatchCluster";
        Description = "The subject cluster of a person match: how many agencies know this person (the two of the match included). " +
            "It names none of them.";
        Field<NonNullGraphType<IntGraphType>>("agencyCount").Reads(s => s.AgencyCount);
    }
}

/// <summary>The verdict on a match, as shown.</summary>
internal sealed record AdjudicationView(AdjudicationDecision Verdict, bool Suppressed);

internal sealed class AdjudicationGraphType : ObjectGraphType<AdjudicationView>
{
    public AdjudicationGraphType()
    {
        Name = "Adjudication";
        Field<NonNullGraphType<VerdictGraphType>>("verdict").Reads(s => s.Verdict);
        Field<NonNullGraphType<BooleanGraphType>>("suppressed")
            .Description("NOT_SAME holds: the pair raises nothing until a matching field changes.")
            .Reads(s => s.Suppressed);
    }
}

internal sealed class ExplanationLineGraphType : ObjectGraphType<ExplanationLine>
{
    public ExplanationLineGraphType()
    {
        Name = "ExplanationLine";
        Description = "One field of the evidence: how it agreed and what it weighed.";
        Field<NonNullGraphType<StringGraphType>>("field").Reads(s => s.Field);
        Field<NonNullGraphType<StringGraphType>>("level").Reads(s => s.Level);
        Field<FloatGraphType>("weight").Description("Person identity: bits of evidence; null for rule-based hits.").Reads(s => s.Weight);
        Field<NonNullGraphType<StringGraphType>>("text").Description("The line in words.").Reads(s => s.Text);
    }
}

/// <summary><c>Counterpart</c>: the other side of a match, as far as its release allows.</summary>
internal sealed class CounterpartGraphType : ObjectGraphType<CounterpartView>
{
    public CounterpartGraphType()
    {
        Name = "Counterpart";
        Description = "The other agency's record: OPEN releases the agency, the contact and the matched fields; AGENCY_ONLY the agency and " +
            "the contact; RESTRICTED nothing but the fact of the conflict. Victim-service organisations' and victims' records release the contact only.";
        Field<NonNullGraphType<ReleaseGraphType>>("release").Reads(s => s.Release);
        Field<SensitivityGraphType>("sensitivity").Reads(s => s.Sensitivity);
        Field<RecordKindGraphType>("kind").Reads(s => s.Kind);
        Field<AgencyGraphType>("agency").Reads(s => s.Agency);
        Field<ContactGraphType>("contact").Reads(s => s.Contact);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ReleasedFieldGraphType>>>>("fields")
            .Description("The other record's matched fields (FULL release only).")
            .Reads(s => s.Fields)
            .Configure(f => f.WithComplexityImpact(1, 10));
    }
}

internal sealed class ReleasedFieldGraphType : ObjectGraphType<ReleasedField>
{
    public ReleasedFieldGraphType()
    {
        Name = "ReleasedField";
        Field<NonNullGraphType<StringGraphType>>("name").Reads(s => s.Name);
        Field<NonNullGraphType<StringGraphType>>("value").Reads(s => s.Value);
    }
}
