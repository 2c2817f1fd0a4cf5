using System.Globalization;
using System.Text.Json;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// Puts an alert into the message the agency's alert queue carries, for the alert's audience, through the same
/// <see cref="HubRequestContext.AlertContent"/> and <see cref="HubRequestContext.Counterpart"/> a GraphQL reader of
/// that audience gets: what the queue shows is what the inbox shows, never more.
/// </summary>
internal static class AlertMessages
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The message of <paramref name="alert"/>, and when the newer record of its match arrived (for the latency metric).</summary>
    public static async Task<(AlertRaised Message, DateTimeOffset? Arrived)> ComposeAsync(HubRequestContext hub, Alert alert,
        CancellationToken cancellationToken)
    {
        var content = await hub.AlertContent(alert).GetResultAsync(cancellationToken);
        AlertMatch? shown = null;
        DateTimeOffset? arrived = null;
        if (content.Match is { } match)
        {
            var mine = match.AgencyA == hub.Principal.Agency;
            var view = await hub.Counterpart(match).GetResultAsync(cancellationToken);
            var records = await hub.Records.LoadMany([match.RecordAId, match.RecordBId]).GetResultAsync(cancellationToken);
            var own = mine ? records[0] : records[1];
            arrived = records.Select(r => r?.UpdatedAt).Max();
            shown = new AlertMatch
            {
                MatchId = match.Id.ToString(CultureInfo.InvariantCulture),
                Kind = Camel(match.Kind.ToString()),
                YourRecord = own is null ? null : new AlertRecordRef { Kind = Camel(own.Kind.ToString()), LocalId = own.LocalId },
                OtherAgency = view.Agency?.Code,
                OtherAgencyName = view.Agency?.Name,
                Band = view.Band,
                Score = view.Score,
                Fields = [.. view.Fields.Select(f => new AlertField { Name = f.Name, Value = f.Value })],
                Explanation = [.. view.Explanation.Select(line => line.Text)],
            };
        }
        var message = new AlertRaised
        {
            AlertId = alert.Id.ToString(CultureInfo.InvariantCulture),
            Agency = alert.AgencyCode,
            Audience = Camel(alert.Audience.ToString()),
            Kind = Camel(alert.Kind.ToString()),
            RaisedAt = alert.RaisedAt,
            Summary = content.Summary,
            RelatesToAlertId = alert.RelatesToId?.ToString(CultureInfo.InvariantCulture),
            Match = shown,
            Contact = content.Contact is { } contact ? new AlertContact { Name = contact.Name, Channel = contact.Channel } : null,
        };
        return (message, alert.Kind is AlertKind.Deconfliction or AlertKind.Protective ? arrived : null);
    }

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}
