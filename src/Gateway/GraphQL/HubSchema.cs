using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Agencies;
using SharingHub.Gateway.Alerts;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.GraphQL;

/// <summary>The hub's GraphQL schema. Its SDL is a public contract, snapshot-tested (<c>schema.graphql</c>).</summary>
internal sealed class HubSchema : Schema
{
    public HubSchema(IServiceProvider services, HubQuery query, HubMutation mutation, HubSubscription subscription) : base(services)
    {
        Query = query;
        Mutation = mutation;
        Subscription = subscription;
        Description = "SharingHub: records, matches and deconfliction between the task force's agencies.";
    }
}

/// <summary>The queries. Every list and lookup starts from a <see cref="Visibility"/> base query.</summary>
internal sealed class HubQuery : ObjectGraphType
{
    public HubQuery()
    {
        Name = "Query";
        Field<NonNullGraphType<MeGraphType>>("me").Description("The caller.").Resolve(c => c.Hub().Principal);

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AgencyGraphType>>>>("agencies")
            .Description("The directory of member agencies, so that \"call X at agency Y\" can be read.")
            .ResolveAsync(async c => (await c.Hub().AgenciesAsync(c.CancellationToken)).Values
                .OrderBy(a => a.Name, StringComparer.Ordinal).ToList());

        Field<NonNullGraphType<HubConnectionType<RecordGraphType, StoredRecord>>>("records")
            .Description("Your agency's shared records, newest first.")
            .Argument<RecordKindGraphType>("kind", "Only records of this kind.")
            .PagingArguments()
            .ResolveAsync(async c =>
            {
                var hub = c.Hub();
                await hub.EnsureMayReadAsync(c.CancellationToken);
                var records = await hub.OwnRecordsAsync(c.CancellationToken);
                if (c.GetArgument<RecordKind?>("kind") is { } kind)
                {
                    records = records.Where(r => r.Kind == kind);
                }
                return await c.PageAsync(records, r => r.Id);
            });

        Field<RecordGraphType>("record")
            .Description("One of your agency's records. Any other id answers NOT_FOUND.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c =>
            {
                var hub = c.Hub();
                var id = c.GetArgument<string>("id");
                var record = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var recordId)
                    ? await (await hub.OwnRecordsAsync(c.CancellationToken)).AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordId, c.CancellationToken)
                    : null;
                return record ?? throw HubError.NotFound("Record", id);
            });

        Field<NonNullGraphType<HubConnectionType<MatchGraphType, Match>>>("matches")
            .Description("Matches between your agency's records and other agencies', newest first.")
            .Argument<MatchBandGraphType>("band", "Only person-identity matches of this band.")
            .Argument<MatchKindGraphType>("kind", "Only matches of this kind.")
            .Argument<BooleanGraphType>("open", "true: only open matches; false: only closed ones.")
            .PagingArguments()
            .ResolveAsync(async c =>
            {
                var hub = c.Hub();
                await hub.EnsureMayReadAsync(c.CancellationToken);
                var filter = new MatchFilter(c.GetArgument<string?>("band"), c.GetArgument<MatchKind?>("kind"), c.GetArgument<bool?>("open"));
                // When its nodes are asked for, the page is read with the records it shows, in one statement: their
                // fields are then answered without pending loaders.
                var withRecords = c.SubFields?.Values.Any(f => f.Field.Name.StringValue is "nodes" or "edges") == true;
                return await c.PageAsync(await hub.MatchPagesAsync(filter, c.CancellationToken), m => m.Id,
                    (await hub.VisibleMatchesAsync(filter, c.CancellationToken)).CountAsync, withRecords ? hub.MatchesWithRecordsAsync : null);
            });

        Field<MatchGraphType>("match")
            .Description("One match of your agency's. Any other id answers NOT_FOUND.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await FindVisibleMatchAsync(c, c.GetArgument<string>("id")));
        this.AddAlertQueries();
    }

    /// <summary>The match with <paramref name="id"/> if the caller may see it; NOT_FOUND otherwise, whatever the reason.</summary>
    public static async Task<Match> FindVisibleMatchAsync(IResolveFieldContext context, string id)
    {
        var hub = context.Hub();
        var match = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var matchId)
            ? await (await hub.VisibleMatchesAsync(context.CancellationToken)).AsNoTracking().SingleOrDefaultAsync(m => m.Id == matchId, context.CancellationToken)
            : null;
        return match ?? throw HubError.NotFound("Match", id);
    }
}

/// <summary>
/// The subscriptions, over the WebSocket transport. Each reads a change feed through the same base query as the
/// corresponding list (<see cref="FeedStreams"/>), and takes <c>after</c>: the cursor of the last event received, so
/// that a client that reconnects first gets what it missed.
/// </summary>
internal sealed class HubSubscription : ObjectGraphType
{
    public HubSubscription()
    {
        Name = "Subscription";
        Field<NonNullGraphType<MatchEventGraphType>>("matchEvents")
            .Description("New and changed matches of your agency's, as they happen (the same matches and release as the matches query).")
            .Argument<StringGraphType>(FeedStreams.AfterArgument, "The cursor of the last event received: first what came after it, then live. Without it, from now.")
            .ResolveStreamAsync(c => c.SubscribeFeedAsync("match_events",
                (db, principal, kind) =>
                {
                    var visible = db.VisibleMatches(principal, kind);
                    return db.MatchEvents.Where(e => visible.Any(m => m.Id == e.MatchId));
                }));
        this.AddAlertSubscription();
    }
}

/// <summary>The mutations.</summary>
internal sealed class HubMutation : ObjectGraphType
{
    public HubMutation()
    {
        Name = "Mutation";
        Field<NonNullGraphType<AdjudicateMatchPayloadGraphType>>("adjudicateMatch")
            .Description("Judge a PERSON_IDENTITY match SAME or NOT_SAME (other kinds are facts: VALIDATION). NOT_SAME silences the pair until a matching field of either record changes, tells the other agency (a VERDICT alert), which may contest it, and on a match touching a victim needs a supervisor.")
            .Argument<NonNullGraphType<AdjudicateMatchInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<AdjudicateMatchInput>("input");
                var match = await HubQuery.FindVisibleMatchAsync(c, input.MatchId);
                var hub = c.Hub();
                var authorization = c.RequestServices!.GetRequiredService<IAuthorizationService>();
                if (!(await authorization.AuthorizeAsync(c.User!, new MatchResource(match.AgencyA, match.AgencyB), RecordOperations.Adjudicate)).Succeeded)
                {
                    throw HubError.Forbidden("Only officers, analysts and supervisors of the match's agencies may adjudicate it.");
                }
                // Only what can be seen can be judged: the caller sees this match (it is in their list), but when its
                // other record releases nothing but the conflict's kind there is no evidence to judge it by.
                if ((await hub.Counterpart(match).GetResultAsync(c.CancellationToken)).Release == Release.None)
                {
                    throw HubError.Forbidden("The other record of this match releases nothing to your agency, so it cannot be judged here: its owning agency may adjudicate it.");
                }
                try
                {
                    await c.RequestServices!.GetRequiredService<AdjudicationService>()
                        .AdjudicateAsync(match.Id, input.Verdict, hub.Principal.Agency, hub.Principal.Subject, input.Note,
                            hub.Principal.IsInRole(SharingHub.ServiceDefaults.Authentication.HubRoles.Supervisor), c.CancellationToken);
                }
                catch (InvalidAdjudicationException ex)
                {
                    throw HubError.Validation(ex.Message);
                }
                catch (AdjudicationForbiddenException ex)
                {
                    throw HubError.Forbidden(ex.Message);
                }
                catch (MatchNotFoundException)
                {
                    throw HubError.NotFound("Match", input.MatchId);
                }
                return new AdjudicateMatchPayload(await hub.Db.Matches.AsNoTracking().SingleAsync(m => m.Id == match.Id, c.CancellationToken));
            });
        this.AddSubmitOperation();
        this.AddAlertMutations();
        this.AddAgencyMutations();
    }
}

/// <summary>Input of <c>adjudicateMatch</c>.</summary>
internal sealed class AdjudicateMatchInput
{
    public string MatchId { get; set; } = "";

    public AdjudicationDecision Verdict { get; set; }

    public string? Note { get; set; }
}

internal sealed class AdjudicateMatchInputGraphType : InputObjectGraphType<AdjudicateMatchInput>
{
    public AdjudicateMatchInputGraphType()
    {
        Name = "AdjudicateMatchInput";
        Field<NonNullGraphType<IdGraphType>>("matchId");
        Field<NonNullGraphType<VerdictGraphType>>("verdict");
        Field<StringGraphType>("note").Description($"Why (at most {AdjudicationService.MaxNoteLength} characters).");
    }
}

/// <summary>Result of <c>adjudicateMatch</c>.</summary>
internal sealed record AdjudicateMatchPayload(Match Match);

internal sealed class AdjudicateMatchPayloadGraphType : ObjectGraphType<AdjudicateMatchPayload>
{
    public AdjudicateMatchPayloadGraphType()
    {
        Name = "AdjudicateMatchPayload";
        Field<NonNullGraphType<MatchGraphType>>("match").Resolve(c => c.Source.Match);
    }
}
