using System.Globalization;
using GraphQL;
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
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id.ToString(CultureInfo.InvariantCulture));
        Field<NonNullGraphType<MatchKindGraphType>>("kind").Resolve(c => c.Source.Kind);
        Field<FloatGraphType>("score")
            .Description("Person identity: the score in bits; null for rule-based hits and when the other record releases nothing.")
            .Resolve(c => c.Hub().Counterpart(c.Source).Then(v => v.Score));
        Field<MatchBandGraphType>("band")
            .Description("Person identity: MATCH or POSSIBLE; null for rule-based hits and when the other record releases nothing.")
            .Resolve(c => c.Hub().Counterpart(c.Source).Then(v => v.Band));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ExplanationLineGraphType>>>>("explanation")
            .Description("Why it matched, field by field: only the lines the other record's sensitivity releases.")
            .Resolve(c => c.Hub().Counterpart(c.Source).Then(v => v.Explanation))
            // At most one line per compared field (about ten), not the analyzer's default list size.
            .Configure(f => f.WithComplexityImpact(1, 10));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.FirstFoundAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.ChangedAt);
        Field<NonNullGraphType<BooleanGraphType>>("open").Description("False once a withdrawal or a change ended it.").Resolve(c => c.Source.ClosedAt is null);
        Field<DateTimeOffsetGraphType>("closedAt").Resolve(c => c.Source.ClosedAt);
        Field<NonNullGraphType<Records.RecordGraphType>>("own")
            .Description("Your agency's record in the match.")
            .Resolve(c => c.Hub().Records.Load(c.Source.AgencyA == c.Hub().Principal.Agency ? c.Source.RecordAId : c.Source.RecordBId));
        Field<NonNullGraphType<CounterpartGraphType>>("counterpart")
            .Description("What the other agency's record releases to you.")
            .Resolve(c => c.Hub().Counterpart(c.Source));
        Field<MatchClusterGraphType>("cluster")
            .Description("Person identity: the subject cluster that holds both records (the person records the hub believes are one human, " +
                "at most one per agency); null when there is none or the other record releases nothing.")
            .Resolve(c => c.Source.Kind == MatchKind.PersonIdentity ? c.Hub().Cluster(c.Source) : null);
        Field<AdjudicationGraphType>("adjudication")
            .Description("Person identity: the latest verdict, if any.")
            .Resolve(c => c.Source.Adjudication is { } verdict ? new AdjudicationView(verdict, c.Source.Suppressed) : null);
    }
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
        Field<NonNullGraphType<MatchEventTypeGraphType>>("type").Resolve(c => c.Source.Type);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("occurredAt").Resolve(c => c.Source.OccurredAt);
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
        Field<NonNullGraphType<IntGraphType>>("agencyCount").Resolve(c => c.Source.AgencyCount);
    }
}

/// <summary>The verdict on a match, as shown.</summary>
internal sealed record AdjudicationView(AdjudicationDecision Verdict, bool Suppressed);

internal sealed class AdjudicationGraphType : ObjectGraphType<AdjudicationView>
{
    public AdjudicationGraphType()
    {
        Name = "Adjudication";
        Field<NonNullGraphType<VerdictGraphType>>("verdict").Resolve(c => c.Source.Verdict);
        Field<NonNullGraphType<BooleanGraphType>>("suppressed")
            .Description("NOT_SAME holds: the pair raises nothing until a matching field changes.")
            .Resolve(c => c.Source.Suppressed);
    }
}

internal sealed class ExplanationLineGraphType : ObjectGraphType<ExplanationLine>
{
    public ExplanationLineGraphType()
    {
        Name = "ExplanationLine";
        Description = "One field of the evidence: how it agreed and what it weighed.";
        Field<NonNullGraphType<StringGraphType>>("field").Resolve(c => c.Source.Field);
        Field<NonNullGraphType<StringGraphType>>("level").Resolve(c => c.Source.Level);
        Field<FloatGraphType>("weight").Description("Person identity: bits of evidence; null for rule-based hits.").Resolve(c => c.Source.Weight);
        Field<NonNullGraphType<StringGraphType>>("text").Description("The line in words.").Resolve(c => c.Source.Text);
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
        Field<NonNullGraphType<ReleaseGraphType>>("release").Resolve(c => c.Source.Release);
        Field<SensitivityGraphType>("sensitivity").Resolve(c => c.Source.Sensitivity);
        Field<RecordKindGraphType>("kind").Resolve(c => c.Source.Kind);
        Field<AgencyGraphType>("agency").Resolve(c => c.Source.Agency);
        Field<ContactGraphType>("contact").Resolve(c => c.Source.Contact);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ReleasedFieldGraphType>>>>("fields")
            .Description("The other record's matched fields (FULL release only).")
            .Resolve(c => c.Source.Fields)
            .Configure(f => f.WithComplexityImpact(1, 10));
    }
}

internal sealed class ReleasedFieldGraphType : ObjectGraphType<ReleasedField>
{
    public ReleasedFieldGraphType()
    {
        Name = "ReleasedField";
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("value").Resolve(c => c.Source.Value);
    }
}
