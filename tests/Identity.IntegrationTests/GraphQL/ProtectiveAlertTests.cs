using System.Net;
using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Feeds;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// Issue 12 item 2: a protective alert to law enforcement about a victim-service organisation's record says only that a
/// person the organisation serves is linked to the police record, and whom to call (the advocate), whatever that
/// record's label says: on every path the alert is read (the <c>alerts</c> query, the <c>alertRaised</c> subscription
/// and the agency's own RabbitMQ alert queue). The inbox page shows the same alert in <c>InboxBrowserTests</c>.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class ProtectiveAlertTests(GraphQLFixture fixture)
{
    private const string AlertSelection = "id kind summary contact { name channel } match { id }";

    // Every shelter client's name: none may reach the police, whichever alert they read.
    private static readonly string[] VictimNames =
        ["Ana", "Castillo", "Elena", "Moreno Silva", "Sofía", "Ramírez León"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Sensitivity.Open)]
    [InlineData(Sensitivity.AgencyOnly)]
    [InlineData(Sensitivity.Restricted)]
    public async Task ProtectiveAlert_VictimServiceRecordOfAnyLabel_PoliceGetTheAdvocatesContactAndNothingElseOnEveryPath(Sensitivity label)
    {
        // The shelter's client labelled so, matched with the city police's victim record.
        _ = fixture.ShelterRecord(label);
        var policeRecord = $"W-SHL-{label}";
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Supervisor);

        // 1. The alerts query.
        var listed = await fixture.Client.PostAsync($"{{ alerts(first: 100) {{ nodes {{ {AlertSelection} }} }} }}", token: token, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        var alert = Assert.Single(listed.Data.GetProperty("alerts").GetProperty("nodes").EnumerateArray(),
            a => a.GetProperty("summary").GetString()!.Contains(policeRecord, StringComparison.Ordinal));
        AssertAdvocateOnly(alert, policeRecord);
        var alertId = alert.GetProperty("id").GetString()!;

        // 2. The subscription, from the start of the feed: the same alert, field for field.
        await using (var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct))
        {
            await socket.SendAsync(new
            {
                id = "a",
                type = "subscribe",
                payload = new
                {
                    query = $"subscription($after: String) {{ alertRaised(after: $after) {{ cursor alert {{ {AlertSelection} }} }} }}",
                    variables = new { after = new FeedCursor(0, 0).Encode() },
                },
            }, Ct);
            JsonElement streamed;
            do
            {
                var next = await socket.NextAsync(Ct);
                Assert.True(next.Type == "next", $"expected an event, got {next}");
                streamed = next.Payload.GetProperty("data").GetProperty("alertRaised").GetProperty("alert");
            }
            while (streamed.GetProperty("id").GetString() != alertId);
            Assert.Equal(alert.GetRawText(), streamed.GetRawText());
        }

        // 3. The agency's own alert queue (the relay publishes it within its poll interval).
        var message = await QueuedAlertAsync(fixture.CityPolice, alertId);
        Assert.Equal("protective", message.Alert.Kind);
        Assert.Equal("supervisors", message.Alert.Audience);
        Assert.Null(message.Alert.Match);
        Assert.NotNull(message.Alert.Contact);
        Assert.Equal(("Advocate Shelter", "+17135550101"), (message.Alert.Contact.Name, message.Alert.Contact.Channel));
        Assert.Equal(alert.GetProperty("summary").GetString(), message.Alert.Summary);
        AssertNoVictimDetail(message.Body);
    }

    private static void AssertAdvocateOnly(JsonElement alert, string policeRecord)
    {
        Assert.Equal("PROTECTIVE", alert.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("match").ValueKind);
        var contact = alert.GetProperty("contact");
        Assert.True(contact.ValueKind == JsonValueKind.Object, $"the protective alert about {policeRecord} carries no contact: {alert}");
        Assert.Equal("Advocate Shelter", contact.GetProperty("name").GetString());
        Assert.Equal("+17135550101", contact.GetProperty("channel").GetString());
        Assert.StartsWith("A person served by a victim-service organization is linked to this person", alert.GetProperty("summary").GetString(),
            StringComparison.Ordinal);
        AssertNoVictimDetail(alert.GetRawText());
    }

    private static void AssertNoVictimDetail(string text)
    {
        foreach (var name in VictimNames)
        {
            Assert.DoesNotContain(name, text, StringComparison.Ordinal);
            Assert.DoesNotContain(JsonSerializer.Serialize(name).Trim('"'), text, StringComparison.Ordinal);
        }
        // The shelter's own local ids and its case reference are the victim record's too.
        Assert.DoesNotContain("V-SHL-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("CASE-26-0042", text, StringComparison.Ordinal);
    }

    // Reads the agency's queue without taking anything off it (the messages are returned when the channel closes).
    private async Task<(AlertRaised Alert, string Body)> QueuedAlertAsync(string agency, string alertId)
    {
        (AlertRaised, string)? found = null;
        await Eventually.UntilAsync(async () =>
        {
            await using var connection = await new ConnectionFactory { Uri = fixture.VirtualHost.AmqpUri }.CreateConnectionAsync(Ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
            while (await channel.BasicGetAsync(AgencyBrokerTopology.AlertQueueOf(agency), autoAck: false, Ct) is { } got)
            {
                var body = System.Text.Encoding.UTF8.GetString(got.Body.Span);
                var alert = JsonSerializer.Deserialize<AlertRaised>(body, JsonSerializerOptions.Web)!;
                if (alert.AlertId == alertId)
                {
                    found = (alert, body);
                    return true;
                }
            }
            return false;
        }, $"alert {alertId} on {agency}'s alert queue");
        return found!.Value;
    }
}
