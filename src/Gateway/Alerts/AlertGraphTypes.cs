using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Feeds;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// <c>Alert</c>: one alert addressed to the caller's agency and role. Its words, match and contact are decided when it
/// is read, for this reader, from the match's <see cref="CounterpartView"/> (<see cref="AlertContents"/>).
/// </summary>
internal sealed class AlertGraphType : ObjectGraphType<Alert>
{
    public AlertGraphType()
    {
        Name = "Alert";
        Description = "An alert to your agency about one of its matches.";
        Field<NonNullGraphType<IdGraphType>>("id").Reads(s => s.Id.ToString(CultureInfo.InvariantCulture));
        Field<NonNullGraphType<AlertKindGraphType>>("kind").Reads(s => s.Kind);
        Field<NonNullGraphType<AlertStatusGraphType>>("status").Reads(s => s.Status);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("raisedAt").Reads(s => s.RaisedAt);
        Field<DateTimeOffsetGraphType>("acknowledgedAt").Reads(s => s.AcknowledgedAt);
        Field<NonNullGraphType<StringGraphType>>("summary")
            .Description("In plain words, what the officer needs to know (only what the release allows).")
            .Resolve(c => c.Hub().AlertContent(c.Source).Then(content => content.Summary));
        Field<MatchGraphType>("match")
            .Description("The match, as the matches query releases it to you; null for a protective alert to law enforcement about a " +
                "victim-service record where even the match would say too much (then summary + contact carry it).")
            .Resolve(c => c.Hub().AlertContent(c.Source).Then(content => content.Match));
        Field<ContactGraphType>("contact")
            .Description("Whom to call on the other side (the released contact, or the advocate for protective alerts).")
            .Resolve(c => c.Hub().AlertContent(c.Source).Then(content => content.Contact));
        Field<AlertGraphType>("relatesTo")
            .Description("For ESCALATED and RETRACTION: the alert this one is about.")
            .Resolve(c => c.Source.RelatesToId is { } id ? c.Hub().VisibleAlerts.Load(id) : null);
    }
}

internal sealed class AlertKindGraphType : EnumerationGraphType<AlertKind>
{
    public AlertKindGraphType() => Name = "AlertKind";
}

internal sealed class AlertStatusGraphType : EnumerationGraphType<AlertStatus>
{
    public AlertStatusGraphType() => Name = "AlertStatus";
}

/// <summary><c>AlertEvent</c>: one alert from the <c>alertRaised</c> subscription, with its feed cursor.</summary>
internal sealed class AlertEventGraphType : ObjectGraphType<Alert>
{
    public AlertEventGraphType()
    {
        Name = "AlertEvent";
        Description = "An alert addressed to you was raised.";
        Field<NonNullGraphType<StringGraphType>>("cursor")
            .Description("Pass it as alertRaised(after:) when reconnecting to receive what came after this alert.")
            .Resolve(c => FeedCursor.Of(c.Source).Encode());
        Field<NonNullGraphType<AlertGraphType>>("alert").Reads(s => s);
    }
}

/// <summary>Input of <c>acknowledgeAlert</c>.</summary>
internal sealed class AcknowledgeAlertInput
{
    public string AlertId { get; set; } = "";
}

internal sealed class AcknowledgeAlertInputGraphType : InputObjectGraphType<AcknowledgeAlertInput>
{
    public AcknowledgeAlertInputGraphType()
    {
        Name = "AcknowledgeAlertInput";
        Field<NonNullGraphType<IdGraphType>>("alertId");
    }
}

/// <summary>Result of <c>acknowledgeAlert</c>.</summary>
internal sealed record AcknowledgeAlertPayload(Alert Alert);

internal sealed class AcknowledgeAlertPayloadGraphType : ObjectGraphType<AcknowledgeAlertPayload>
{
    public AcknowledgeAlertPayloadGraphType()
    {
        Name = "AcknowledgeAlertPayload";
        Field<NonNullGraphType<AlertGraphType>>("alert").Reads(s => s.Alert);
    }
}

/// <summary>Input of <c>contestAdjudication</c>.</summary>
internal sealed class ContestAdjudicationInput
{
    public string MatchId { get; set; } = "";

    public string? Note { get; set; }
}

internal sealed class ContestAdjudicationInputGraphType : InputObjectGraphType<ContestAdjudicationInput>
{
    public ContestAdjudicationInputGraphType()
    {
        Name = "ContestAdjudicationInput";
        Field<NonNullGraphType<IdGraphType>>("matchId");
        Field<StringGraphType>("note").Description($"Why (at most {AdjudicationService.MaxNoteLength} characters).");
    }
}

/// <summary>Result of <c>contestAdjudication</c>.</summary>
internal sealed record ContestAdjudicationPayload(Match Match);

internal sealed class ContestAdjudicationPayloadGraphType : ObjectGraphType<ContestAdjudicationPayload>
{
    public ContestAdjudicationPayloadGraphType()
    {
        Name = "ContestAdjudicationPayload";
        Field<NonNullGraphType<MatchGraphType>>("match").Reads(s => s.Match);
    }
}

/// <summary>The alert fields of the schema's query, mutation and subscription types.</summary>
internal static class AlertFields
{
    public static void AddAlertQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<HubConnectionType<AlertGraphType, Alert>>>("alerts")
            .Description("Alerts addressed to you (your agency and role), newest first.")
            .Argument<BooleanGraphType>("unacknowledged", "true: only alerts nobody has acknowledged (open ones); false: only the others.")
            .PagingArguments()
            .ResolveAsync(async c =>
            {
                var hub = c.Hub();
                await hub.EnsureMayReadAsync(c.CancellationToken);
                var alerts = await hub.VisibleAlertsAsync(c.CancellationToken);
                if (c.GetArgument<bool?>("unacknowledged") is { } open)
                {
                    alerts = open ? alerts.Where(a => a.AcknowledgedAt == null) : alerts.Where(a => a.AcknowledgedAt != null);
                }
                return await c.PageAsync(alerts, a => a.Id);
            });

        query.Field<AlertGraphType>("alert")
            .Description("One alert addressed to you. Any other id answers NOT_FOUND.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await FindVisibleAlertAsync(c, c.GetArgument<string>("id")));
    }

    public static void AddAlertMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<AcknowledgeAlertPayloadGraphType>>("acknowledgeAlert")
            .Description("Acknowledge an alert addressed to you: it stops escalating. Acknowledging twice changes nothing.")
            .Argument<NonNullGraphType<AcknowledgeAlertInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<AcknowledgeAlertInput>("input");
                var alert = await FindVisibleAlertAsync(c, input.AlertId);
                var hub = c.Hub();
                var acknowledged = await c.RequestServices!.GetRequiredService<AlertService>()
                    .AcknowledgeAsync(alert.Id, hub.Principal.Subject, c.CancellationToken);
                return new AcknowledgeAlertPayload(acknowledged);
            });

        mutation.Field<NonNullGraphType<ContestAdjudicationPayloadGraphType>>("contestAdjudication")
            .Description("Contest another agency's NOT_SAME verdict: reopens the match.")
            .Argument<NonNullGraphType<ContestAdjudicationInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<ContestAdjudicationInput>("input");
                var match = await HubQuery.FindVisibleMatchAsync(c, input.MatchId);
                var hub = c.Hub();
                await hub.EnsureMayReadAsync(c.CancellationToken);
                try
                {
                    await c.RequestServices!.GetRequiredService<AdjudicationService>()
                        .ContestAsync(match.Id, hub.Principal.Agency, hub.Principal.Subject, input.Note, c.CancellationToken);
                }
                catch (InvalidAdjudicationException ex)
                {
                    throw HubError.Validation(ex.Message);
                }
                catch (MatchNotFoundException)
                {
                    throw HubError.NotFound("Match", input.MatchId);
                }
                return new ContestAdjudicationPayload(await hub.Db.Matches.AsNoTracking().SingleAsync(m => m.Id == match.Id, c.CancellationToken));
            });
    }

    public static void AddAlertSubscription(this ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<AlertEventGraphType>>("alertRaised")
            .Description("Alerts addressed to you, as they are raised: with after, first what you missed, then live.")
            .Argument<StringGraphType>(FeedStreams.AfterArgument, "The cursor of the last event received: first what came after it, then live. Without it, from now.")
            .ResolveStreamAsync(c => c.SubscribeFeedAsync("alerts", (db, principal, kind) => db.VisibleAlerts(principal, kind)))
            // Runs once per event sent to this subscriber: the subscription's delivery, counted beside the queue's.
            .Resolve(c =>
            {
                c.RequestServices!.GetRequiredService<AlertMetrics>().DeliveredToSubscriber();
                return c.Source;
            });
    }

    /// <summary>The alert with <paramref name="id"/> if it is addressed to the caller; NOT_FOUND otherwise, whatever the reason.</summary>
    public static async Task<Alert> FindVisibleAlertAsync(IResolveFieldContext context, string id)
    {
        var hub = context.Hub();
        var alert = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alertId)
            ? await (await hub.VisibleAlertsAsync(context.CancellationToken)).AsNoTracking().SingleOrDefaultAsync(a => a.Id == alertId, context.CancellationToken)
            : null;
        return alert ?? throw HubError.NotFound("Alert", id);
    }
}
