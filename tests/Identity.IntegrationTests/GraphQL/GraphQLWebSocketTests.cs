using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Feeds;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// GraphQL over WebSocket (graphql-transport-ws) against the Gateway's real port: each close code and message type
/// with a raw <see cref="GraphQLSocket"/>, the stock <c>graphql-ws</c> npm client, and the <c>matchEvents</c>
/// subscription. The class has its own <see cref="GraphQLFixture"/> (fresh agencies), because it publishes records.
/// </summary>
public sealed class GraphQLWebSocketTests(GraphQLFixture fixture) : IClassFixture<GraphQLFixture>
{
    private const string MatchSelection =
        "id kind score band explanation { field level weight text } own { localId } " +
        "counterpart { release sensitivity kind agency { code } contact { name channel } fields { name value } }";

    private static int _phones;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Subscribe(string id, string query, object? variables = null) =>
        new { id, type = "subscribe", payload = new { query, variables } };

    private static string FromTheStart => new FeedCursor(0, 0).Encode();

    [Fact]
    public async Task Handshake_WithoutTheSubprotocol_Closed4406()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, subProtocol: null, cancellationToken: Ct);

        var closed = await socket.ReceiveAsync(Ct);

        Assert.Null(socket.ChosenSubProtocol);
        Assert.Equal(4406, closed.CloseCode);
    }

    [Fact]
    public async Task ConnectionInit_WithoutToken_Closed4403()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        await socket.SendAsync(new { type = "connection_init", payload = new { } }, Ct);

        Assert.Equal(GraphQLSocket.SubProtocol, socket.ChosenSubProtocol);
        Assert.Equal(4403, (await socket.ReceiveAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task ConnectionInit_WithATamperedToken_Closed4403()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        // Another agency in the claims: the signature no longer holds.
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        claims["agency"] = JsonSerializer.SerializeToElement(fixture.CountySheriff);
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims))}.{parts[2]}";
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = $"Bearer {forged}" } }, Ct);

        Assert.Equal(4403, (await socket.ReceiveAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task ConnectionInit_LowerCaseAuthorization_Acknowledged()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = $"Bearer {token}" } }, Ct);

        Assert.Equal("connection_ack", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Subscribe_BeforeConnectionInit_Closed4401()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        await socket.SendAsync(Subscribe("1", "{ me { agencyCode } }"), Ct);

        Assert.Equal(4401, (await socket.ReceiveAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task ConnectionInit_Twice_Closed4429()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(new { type = "connection_init", payload = new { Authorization = $"Bearer {token}" } }, Ct);

        Assert.Equal(4429, (await socket.ClosedAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task Subscribe_IdOfARunningSubscription_Closed4409()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);
        await socket.SendAsync(Subscribe("s", "subscription { matchEvents { cursor } }"), Ct);

        await socket.SendAsync(Subscribe("s", "subscription { matchEvents { cursor } }"), Ct);

        var closed = await socket.ClosedAsync(Ct);
        Assert.Equal(4409, closed.CloseCode);
        Assert.Equal("Subscriber for s already exists", closed.CloseReason);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"payload\":{}}")]
    [InlineData("{\"type\":\"start\",\"id\":\"1\"}")]
    [InlineData("{\"type\":\"subscribe\",\"payload\":{\"query\":\"{ me { agencyCode } }\"}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"variables\":{}}}")]
    [InlineData("{\"type\":\"ping\",\"payload\":\"text\"}")]
    public async Task Message_Invalid_Closed4400(string message)
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendTextAsync(message, Ct);

        Assert.Equal(4400, (await socket.ClosedAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task Message_Binary_Closed4400()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendBinaryAsync("{\"type\":\"ping\"}"u8.ToArray(), Ct);

        Assert.Equal(4400, (await socket.ClosedAsync(Ct)).CloseCode);
    }

    [Fact]
    public async Task Message_LargerThanTheRequestLimit_Closed4400()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        // The HTTP transport's limit (GraphQL:MaxRequestBytes, 64 KiB by default) holds for a socket's message too.
        await socket.SendAsync(Subscribe("1", "{ me { agencyCode } }" + new string(' ', 70 * 1024)), Ct);

        var closed = await socket.ClosedAsync(Ct);
        Assert.Equal(4400, closed.CloseCode);
        Assert.StartsWith("Message larger than", closed.CloseReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_AnsweredWithPong()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        await socket.SendAsync(new { type = "ping", payload = new { at = 1 } }, Ct);

        Assert.Equal("pong", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Query_OverTheSocket_NextThenComplete()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(Subscribe("q", "{ me { agency { code } } }"), Ct);

        var next = await socket.NextAsync(Ct);
        Assert.Equal(("next", "q"), (next.Type, next.Id));
        Assert.Equal(fixture.CityPolice, next.Payload.GetProperty("data").GetProperty("me").GetProperty("agency").GetProperty("code").GetString());
        var complete = await socket.ReceiveAsync(Ct);
        Assert.Equal(("complete", "q"), (complete.Type, complete.Id));
    }

    [Fact]
    public async Task Mutation_OverTheSocket_NextThenComplete()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        // No such match: the mutation runs and answers NOT_FOUND, changing nothing.
        await socket.SendAsync(Subscribe("m", "mutation($id: ID!) { adjudicateMatch(input: { matchId: $id, verdict: SAME }) { match { id } } }",
            new { id = "999999999" }), Ct);

        var next = await socket.NextAsync(Ct);
        Assert.Equal(("next", "m"), (next.Type, next.Id));
        Assert.Equal("NOT_FOUND", next.Payload.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        var complete = await socket.ReceiveAsync(Ct);
        Assert.Equal(("complete", "m"), (complete.Type, complete.Id));
    }

    [Fact]
    public async Task Subscribe_InvalidDocument_ErrorWithTheReasonAndNoStackTrace()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(Subscribe("e", "subscription { matchEvents { noSuchField } }"), Ct);

        var error = await socket.ReceiveAsync(Ct);
        Assert.Equal(("error", "e"), (error.Type, error.Id));
        var errors = error.Payload.EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("message").GetString()!.Contains("noSuchField", StringComparison.Ordinal));
        Assert.DoesNotContain(" at ", error.Payload.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Payload.GetRawText(), StringComparison.Ordinal);
        // The operation is over; the socket is not.
        await socket.SendAsync(new { type = "ping" }, Ct);
        Assert.Equal("pong", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Subscribe_BadCursor_ErrorValidation()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(Subscribe("c", "subscription { matchEvents(after: \"nope\") { cursor } }"), Ct);

        var error = await socket.ReceiveAsync(Ct);
        Assert.Equal(("error", "c"), (error.Type, error.Id));
        Assert.Equal("VALIDATION", error.Payload[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Complete_EndsTheSubscription_ItsIdCanBeUsedAgain()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);
        await socket.SendAsync(Subscribe("s", "subscription { matchEvents { cursor } }"), Ct);

        await socket.SendAsync(new { id = "s", type = "complete" }, Ct);
        await socket.SendAsync(Subscribe("s", "{ me { agencyCode } }"), Ct);

        var next = await socket.NextAsync(Ct);
        Assert.Equal(("next", "s"), (next.Type, next.Id));
        Assert.Equal("complete", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Subscribe_MoreThanThePerSocketCap_ErrorForTheExtraOneOnly()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);
        for (var i = 0; i < 20; i++)
        {
            await socket.SendAsync(Subscribe($"s{i}", "subscription { matchEvents { cursor } }"), Ct);
        }

        await socket.SendAsync(Subscribe("extra", "subscription { matchEvents { cursor } }"), Ct);

        var error = await socket.ReceiveAsync(Ct);
        Assert.Equal(("error", "extra"), (error.Type, error.Id));
        Assert.Contains("At most 20 operations", error.Payload[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await socket.SendAsync(new { type = "ping" }, Ct);
        Assert.Equal("pong", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Subscribe_Admin_ErrorForbidden()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Admin);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(Subscribe("a", "subscription { matchEvents { cursor } }"), Ct);

        var error = await socket.ReceiveAsync(Ct);
        Assert.Equal(("error", "a"), (error.Type, error.Id));
        Assert.Equal("FORBIDDEN", error.Payload[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("CityPolice", HubRoles.Officer)]
    [InlineData("CountySheriff", HubRoles.Analyst)]
    [InlineData("Shelter", HubRoles.Advocate)]
    public async Task MatchEvents_FromTheStart_OnlyTheAgencysMatchesWithTheReleaseTheQueryShows(string agencyName, string role)
    {
        var agency = agencyName switch
        {
            "CityPolice" => fixture.CityPolice,
            "CountySheriff" => fixture.CountySheriff,
            _ => fixture.Shelter,
        };
        var token = await fixture.TokenAsync(agency, role);
        var visible = await fixture.Client.PostAsync("{ matches(first: 100) { totalCount nodes { id } } }", token: token, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, visible.Status);
        var expected = visible.Data.GetProperty("matches").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToHashSet();
        Assert.Equal(visible.Data.GetProperty("matches").GetProperty("totalCount").GetInt32(), expected.Count);
        Assert.NotEmpty(expected);
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(Subscribe("m", $"subscription($after: String) {{ matchEvents(after: $after) {{ cursor type match {{ {MatchSelection} }} }} }}",
            new { after = FromTheStart }), Ct);

        var seen = new HashSet<string>();
        while (!seen.SetEquals(expected))
        {
            var next = await socket.NextAsync(Ct);
            Assert.True(next.Type == "next", $"expected an event, got {next}");
            var match = next.Payload.GetProperty("data").GetProperty("matchEvents").GetProperty("match");
            var id = match.GetProperty("id").GetString()!;
            Assert.Contains(id, expected);
            seen.Add(id);
            // The same match, read by the same reader over HTTP: the same release, field for field.
            var query = await fixture.Client.PostAsync($"query($id: ID!) {{ match(id: $id) {{ {MatchSelection} }} }}", new { id }, token, Ct);
            Assert.Equal(query.Data.GetProperty("match").GetRawText(), match.GetRawText());
        }
    }

    [Fact]
    public async Task MatchEvents_Reconnect_WithTheLastCursor_FirstWhatWasMissedThenLive()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        const string query = "subscription($after: String) { matchEvents(after: $after) { cursor type match { own { localId } } } }";
        string cursor;
        await using (var first = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct))
        {
            await first.SendAsync(Subscribe("m", query, new { after = FromTheStart }), Ct);
            await PublishSharedPhoneAsync("RC1");
            cursor = await NextEventOfAsync(first, "C-WS-RC1");
        }

        // While no one listens: two more, matched before the client comes back.
        await PublishSharedPhoneAsync("RC2");
        await PublishSharedPhoneAsync("RC3");
        await Eventually.UntilAsync(async () =>
        {
            var matches = await fixture.Client.PostAsync("{ matches(kind: SHARED_PHONE, first: 100) { nodes { own { localId } } } }", token: token, cancellationToken: Ct);
            var own = matches.Data.GetProperty("matches").GetProperty("nodes").EnumerateArray()
                .Select(n => n.GetProperty("own").GetProperty("localId").GetString()).ToHashSet();
            return own.Contains("C-WS-RC2") && own.Contains("C-WS-RC3");
        }, "the matches of C-WS-RC2 and C-WS-RC3", cancellationToken: Ct);
        await using var second = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);
        await second.SendAsync(Subscribe("m", query, new { after = cursor }), Ct);

        // In commit order, which is not publishing order: the Gateway matches messages concurrently.
        Assert.Equal(["C-WS-RC2", "C-WS-RC3"], new[] { await NextLocalIdAsync(second), await NextLocalIdAsync(second) }.Order());
        await PublishSharedPhoneAsync("RC4");
        Assert.Equal("C-WS-RC4", await NextLocalIdAsync(second));
    }

    [Fact]
    public async Task GraphqlWsClient_ValidToken_ReceivesTheEventOfAPublishedRecord()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        // From the start of the feed: "connected" is the connection's ack, not the subscription's start, so an event
        // of a record published right after it could fall before a subscription that only looks forward.
        await using var client = await GraphqlWsNodeClient.StartAsync(fixture.GraphQLUri, token, events: int.MaxValue, after: FromTheStart);
        Assert.Equal("connected", (await client.NextAsync(Ct)).GetProperty("event").GetString());

        await PublishSharedPhoneAsync("NODE");

        // The city police's other matches (other tests' records) come first: skip them.
        JsonElement evt;
        do
        {
            var next = await client.NextAsync(Ct);
            Assert.True(next.GetProperty("event").GetString() == "next", next.GetRawText());
            evt = next.GetProperty("payload").GetProperty("data").GetProperty("matchEvents");
        }
        while (evt.GetProperty("match").GetProperty("own").GetProperty("localId").GetString() != "C-WS-NODE");
        Assert.Equal("MATCH_FOUND", evt.GetProperty("type").GetString());
        Assert.Equal(fixture.CountySheriff, evt.GetProperty("match").GetProperty("counterpart").GetProperty("agency").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("not-a-token")]
    public async Task GraphqlWsClient_MissingOrBadToken_Refused4403(string token)
    {
        await using var client = await GraphqlWsNodeClient.StartAsync(fixture.GraphQLUri, token);

        var closed = await client.NextAsync(Ct);

        Assert.Equal("closed", closed.GetProperty("event").GetString());
        Assert.Equal(4403, closed.GetProperty("code").GetInt32());
    }

    // A phone both law-enforcement agencies hold: one new SharedPhone match between them.
    private async Task PublishSharedPhoneAsync(string tag)
    {
        var number = $"+1832555{Interlocked.Increment(ref _phones):D4}";
        await fixture.PublishAsync(fixture.CityPolice, Phone($"C-WS-{tag}", number));
        await fixture.PublishAsync(fixture.CountySheriff, Phone($"S-WS-{tag}", number));
    }

    private static PhoneRecordPublished Phone(string localId, string e164) => new()
    {
        LocalId = localId,
        Version = 1,
        TelephoneNumberFullID = e164,
        TelephoneNumberE164 = e164,
        ValidFromDate = new DateOnly(2026, 1, 1),
        Labels = new RecordLabels
        {
            Sensitivity = Sensitivity.Open,
            ControlOfficial = new ControlOfficial { PersonFullName = "Det. Socket", ContactChannel = "+17135550101" },
        },
    };

    // Reads events until one about the match of own record localId; returns its cursor.
    private static async Task<string> NextEventOfAsync(GraphQLSocket socket, string localId)
    {
        while (true)
        {
            var next = await socket.NextAsync(Ct);
            Assert.True(next.Type == "next", $"expected an event, got {next}");
            var evt = next.Payload.GetProperty("data").GetProperty("matchEvents");
            if (evt.GetProperty("match").GetProperty("own").GetProperty("localId").GetString() == localId)
            {
                return evt.GetProperty("cursor").GetString()!;
            }
        }
    }

    private static async Task<string?> NextLocalIdAsync(GraphQLSocket socket)
    {
        var next = await socket.NextAsync(Ct);
        Assert.True(next.Type == "next", $"expected an event, got {next}");
        return next.Payload.GetProperty("data").GetProperty("matchEvents").GetProperty("match").GetProperty("own").GetProperty("localId").GetString();
    }
}
