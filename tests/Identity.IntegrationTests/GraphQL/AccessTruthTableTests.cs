using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Feeds;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// Issue #10's access truth table, cell by cell, through the real API with real tokens: every role (and anonymous) ×
/// the caller's agency (the record's owner, or the agency on the other side of its match) × the record's sensitivity ×
/// operation. The expected outcomes are <see cref="Table"/>; docs/security.md shows the same table, and
/// <see cref="Docs_AccessTable_IsTheTestedTable"/> keeps the two equal.
/// </summary>
/// <remarks>
/// Whose record a cell reads: for the enforcement roles, admin and anonymous, the city police's suspect labelled with the
/// cell's sensitivity, matched with the county sheriff's open suspect ("other" is the sheriff's user). Advocates exist only
/// in the victim-service organisation: "owner" is the shelter's client labelled with the sensitivity, "other" is the city
/// police's victim record labelled with it, matched with that client. An operation is a row of the table and an entry
/// of <see cref="Operations"/>, so one more (a subscription) is rows and one function, not a new test.
/// </remarks>
[Collection(GraphQLGroup.Name)]
public sealed class AccessTruthTableTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The table's outcomes.</summary>
    private static class Outcome
    {
        /// <summary>The operation shows the record (listed and counted, or returned by its id).</summary>
        public const string Visible = "VISIBLE";

        /// <summary>Answered without error, and without the record.</summary>
        public const string Absent = "ABSENT";

        /// <summary>The match is the caller's own record's: <c>own</c> is the record.</summary>
        public const string Own = "OWN";

        /// <summary>The record is the counterpart, released in full: agency, contact, matched fields, score, explanation.</summary>
        public const string Full = "FULL";

        /// <summary>The record is the counterpart, released as agency and contact only.</summary>
        public const string ContactOnly = "CONTACT_ONLY";

        /// <summary>The record is the counterpart and releases nothing but the conflict's kind.</summary>
        public const string None = "NONE";

        /// <summary>The verdict was stored.</summary>
        public const string Adjudicated = "ADJUDICATED";

        /// <summary>The error code <c>NOT_FOUND</c>, the same as for an id that does not exist.</summary>
        public const string NotFound = "NOT_FOUND";

        /// <summary>The error code <c>FORBIDDEN</c>.</summary>
        public const string Forbidden = "FORBIDDEN";

        /// <summary>HTTP 401 before anything is parsed.</summary>
        public const string Unauthenticated = "401";

        /// <summary>The WebSocket closed with 4403 at <c>connection_init</c>, before any subscription.</summary>
        public const string SocketForbidden = "4403";
    }

    private const string Anonymous = "anonymous";
    private const string Owner = "owner";
    private const string Other = "other";

    /// <summary>One row: an operation by a role from one side, and the outcome for each sensitivity of the record.</summary>
    private sealed record Row(string Operation, string Role, string Agency, string Open, string AgencyOnly, string Restricted)
    {
        public string For(Sensitivity sensitivity) => sensitivity switch
        {
            Sensitivity.Open => Open,
            Sensitivity.AgencyOnly => AgencyOnly,
            Sensitivity.Restricted => Restricted,
            _ => throw new ArgumentOutOfRangeException(nameof(sensitivity)),
        };
    }

    /// <summary>The expected outcome of every cell.</summary>
    private static readonly Row[] Table =
    [
        new("list", HubRoles.Officer, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("list", HubRoles.Officer, Other, Outcome.Absent, Outcome.Absent, Outcome.Absent),
        new("list", HubRoles.Analyst, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("list", HubRoles.Analyst, Other, Outcome.Absent, Outcome.Absent, Outcome.Absent),
        new("list", HubRoles.Supervisor, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("list", HubRoles.Supervisor, Other, Outcome.Absent, Outcome.Absent, Outcome.Absent),
        new("list", HubRoles.Admin, Owner, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("list", HubRoles.Admin, Other, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("list", HubRoles.Advocate, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("list", HubRoles.Advocate, Other, Outcome.Absent, Outcome.Absent, Outcome.Absent),
        new("list", Anonymous, Owner, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),
        new("list", Anonymous, Other, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),

        new("get by id", HubRoles.Officer, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("get by id", HubRoles.Officer, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", HubRoles.Analyst, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("get by id", HubRoles.Analyst, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", HubRoles.Supervisor, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("get by id", HubRoles.Supervisor, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", HubRoles.Admin, Owner, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", HubRoles.Admin, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", HubRoles.Advocate, Owner, Outcome.Visible, Outcome.Visible, Outcome.Visible),
        new("get by id", HubRoles.Advocate, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("get by id", Anonymous, Owner, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),
        new("get by id", Anonymous, Other, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),

        new("match counterpart", HubRoles.Officer, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("match counterpart", HubRoles.Officer, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("match counterpart", HubRoles.Analyst, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("match counterpart", HubRoles.Analyst, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("match counterpart", HubRoles.Supervisor, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("match counterpart", HubRoles.Supervisor, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("match counterpart", HubRoles.Admin, Owner, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("match counterpart", HubRoles.Admin, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("match counterpart", HubRoles.Advocate, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("match counterpart", HubRoles.Advocate, Other, Outcome.ContactOnly, Outcome.ContactOnly, Outcome.None),
        new("match counterpart", Anonymous, Owner, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),
        new("match counterpart", Anonymous, Other, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),

        new("adjudicate", HubRoles.Officer, Owner, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Adjudicated),
        new("adjudicate", HubRoles.Officer, Other, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Forbidden),
        new("adjudicate", HubRoles.Analyst, Owner, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Adjudicated),
        new("adjudicate", HubRoles.Analyst, Other, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Forbidden),
        new("adjudicate", HubRoles.Supervisor, Owner, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Adjudicated),
        new("adjudicate", HubRoles.Supervisor, Other, Outcome.Adjudicated, Outcome.Adjudicated, Outcome.Forbidden),
        new("adjudicate", HubRoles.Admin, Owner, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("adjudicate", HubRoles.Admin, Other, Outcome.NotFound, Outcome.NotFound, Outcome.NotFound),
        new("adjudicate", HubRoles.Advocate, Owner, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("adjudicate", HubRoles.Advocate, Other, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("adjudicate", Anonymous, Owner, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),
        new("adjudicate", Anonymous, Other, Outcome.Unauthenticated, Outcome.Unauthenticated, Outcome.Unauthenticated),

        new("subscribe", HubRoles.Officer, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("subscribe", HubRoles.Officer, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("subscribe", HubRoles.Analyst, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("subscribe", HubRoles.Analyst, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("subscribe", HubRoles.Supervisor, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("subscribe", HubRoles.Supervisor, Other, Outcome.Full, Outcome.ContactOnly, Outcome.None),
        new("subscribe", HubRoles.Admin, Owner, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("subscribe", HubRoles.Admin, Other, Outcome.Forbidden, Outcome.Forbidden, Outcome.Forbidden),
        new("subscribe", HubRoles.Advocate, Owner, Outcome.Own, Outcome.Own, Outcome.Own),
        new("subscribe", HubRoles.Advocate, Other, Outcome.ContactOnly, Outcome.ContactOnly, Outcome.None),
        new("subscribe", Anonymous, Owner, Outcome.SocketForbidden, Outcome.SocketForbidden, Outcome.SocketForbidden),
        new("subscribe", Anonymous, Other, Outcome.SocketForbidden, Outcome.SocketForbidden, Outcome.SocketForbidden),
    ];

    /// <summary>What the caller sees when it runs the operation on the cell's record: one of <see cref="Outcome"/>.</summary>
    private delegate Task<string> Operation(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token);

    private static readonly Dictionary<string, Operation> Operations = new(StringComparer.Ordinal)
    {
        ["list"] = ListAsync,
        ["get by id"] = GetByIdAsync,
        ["match counterpart"] = CounterpartAsync,
        ["adjudicate"] = AdjudicateAsync,
        ["subscribe"] = SubscribeAsync,
    };

    private static readonly Sensitivity[] Sensitivities = [Sensitivity.Open, Sensitivity.AgencyOnly, Sensitivity.Restricted];

    public static TheoryData<string, string, string, Sensitivity> Cells()
    {
        var cells = new TheoryData<string, string, string, Sensitivity>();
        foreach (var row in Table)
        {
            foreach (var sensitivity in Sensitivities)
            {
                cells.Add(row.Operation, row.Role, row.Agency, sensitivity);
            }
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell_RoleAgencySensitivityOperation_AnswersAsTheTableSays(string operation, string role, string agency, Sensitivity sensitivity)
    {
        var expected = Table.Single(r => r.Operation == operation && r.Role == role && r.Agency == agency).For(sensitivity);
        var record = role == HubRoles.Advocate
            ? agency == Owner ? fixture.ShelterRecord(sensitivity) : fixture.PoliceRecordOfShelterClient(sensitivity)
            : fixture.EnforcementRecord(sensitivity);
        var callerIsOwner = agency == Owner;
        var callerAgency = callerIsOwner ? record.Owner : record.Other;
        var token = role == Anonymous ? null : await fixture.TokenAsync(callerAgency, role);

        var observed = await Operations[operation](fixture, record, callerIsOwner, token);

        Assert.Equal(expected, observed);
    }

    [Fact]
    public void Table_EveryRoleAgencyAndOperation_HasExactlyOneRow()
    {
        string[] roles = [HubRoles.Officer, HubRoles.Analyst, HubRoles.Supervisor, HubRoles.Admin, HubRoles.Advocate, Anonymous];
        foreach (var operation in Operations.Keys)
        {
            foreach (var role in roles)
            {
                foreach (var agency in new[] { Owner, Other })
                {
                    Assert.Single(Table, r => r.Operation == operation && r.Role == role && r.Agency == agency);
                }
            }
        }
        Assert.Equal(Operations.Count * roles.Length * 2, Table.Length);
    }

    [Fact]
    public void Docs_AccessTable_IsTheTestedTable()
    {
        var docs = File.ReadAllText(Path.Combine(HubCheckout.Root, "docs", "security.md")).ReplaceLineEndings("\n");
        var table = Markdown();

        Assert.True(docs.Contains(table, StringComparison.Ordinal),
            $"docs/security.md must hold the access truth table exactly as {nameof(AccessTruthTableTests)} tests it:\n{table}");
    }

    /// <summary>The table as docs/security.md shows it.</summary>
    private static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| operation | role | caller's agency | open | agencyOnly | restricted |\n");
        text.Append("|---|---|---|---|---|---|\n");
        foreach (var row in Table)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Operation} | {row.Role} | {row.Agency} | {row.Open} | {row.AgencyOnly} | {row.Restricted} |\n");
        }
        return text.ToString();
    }

    private static async Task<string> ListAsync(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token)
    {
        var answer = await fixture.Client.PostAsync("{ records(kind: PERSON, first: 100) { totalCount nodes { id } } }", token: token, cancellationToken: Ct);
        if (Refusal(answer) is { } refusal)
        {
            return refusal;
        }
        var records = answer.Data.GetProperty("records");
        var ids = records.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
        // Everything counted is listed (fewer than a page): a hidden row would show as a count above the list.
        Assert.Equal(ids.Count, records.GetProperty("totalCount").GetInt32());
        return ids.Contains(Id(record.RecordId)) ? Outcome.Visible : Outcome.Absent;
    }

    private static async Task<string> GetByIdAsync(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token)
    {
        var answer = await fixture.Client.PostAsync("query($id: ID!) { record(id: $id) { id localId } }",
            new { id = Id(record.RecordId) }, token, Ct);
        if (Refusal(answer) is { } refusal)
        {
            return refusal;
        }
        return answer.Data.GetProperty("record").GetProperty("id").GetString() == Id(record.RecordId) ? Outcome.Visible : Outcome.Absent;
    }

    private static async Task<string> CounterpartAsync(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token)
    {
        var answer = await fixture.Client.PostAsync($"query($id: ID!) {{ match(id: $id) {{ {MatchSelection} }} }}",
            new { id = Id(record.MatchId) }, token, Ct);
        if (Refusal(answer) is { } refusal)
        {
            return refusal;
        }
        return Judge(answer.Data.GetProperty("match"), record, answer.Body);
    }

    private const string MatchSelection = """
        score band explanation { field level text }
        own { id }
        counterpart { release sensitivity kind agency { code } contact { name channel } fields { name value } }
        """;

    /// <summary>The caller's view of the cell's match: its own record's, or the counterpart with what its release shows and nothing more.</summary>
    private static string Judge(JsonElement match, Situation record, string body)
    {
        if (match.GetProperty("own").GetProperty("id").GetString() == Id(record.RecordId))
        {
            return Outcome.Own;
        }
        Assert.Equal(Id(record.CounterpartId), match.GetProperty("own").GetProperty("id").GetString());
        var counterpart = match.GetProperty("counterpart");
        var release = counterpart.GetProperty("release").GetString()!;
        // What each release shows, and nothing more.
        var fields = counterpart.GetProperty("fields").GetArrayLength();
        var explanation = match.GetProperty("explanation").GetArrayLength();
        switch (release)
        {
            case Outcome.Full:
                Assert.Equal(record.Owner, counterpart.GetProperty("agency").GetProperty("code").GetString());
                Assert.Equal(JsonValueKind.Object, counterpart.GetProperty("contact").ValueKind);
                Assert.True(fields > 0, $"a FULL release shows the matched fields: {body}");
                Assert.True(explanation > 0, $"a FULL release shows the explanation: {body}");
                Assert.Equal(JsonValueKind.Number, match.GetProperty("score").ValueKind);
                break;
            case Outcome.ContactOnly:
                Assert.Equal(record.Owner, counterpart.GetProperty("agency").GetProperty("code").GetString());
                Assert.Equal(JsonValueKind.Object, counterpart.GetProperty("contact").ValueKind);
                Assert.Equal(0, fields);
                Assert.Equal(0, explanation);
                break;
            case Outcome.None:
                Assert.Equal(JsonValueKind.Null, counterpart.GetProperty("agency").ValueKind);
                Assert.Equal(JsonValueKind.Null, counterpart.GetProperty("contact").ValueKind);
                Assert.Equal(JsonValueKind.Null, counterpart.GetProperty("kind").ValueKind);
                Assert.Equal(JsonValueKind.Null, match.GetProperty("score").ValueKind);
                Assert.Equal(JsonValueKind.Null, match.GetProperty("band").ValueKind);
                Assert.Equal(0, fields);
                Assert.Equal(0, explanation);
                break;
            default:
                Assert.Fail($"unknown release {release}");
                break;
        }
        return release;
    }

    private static async Task<string> AdjudicateAsync(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token)
    {
        var answer = await fixture.Client.PostAsync("""
            mutation($id: ID!) { adjudicateMatch(input: { matchId: $id, verdict: SAME, note: "access truth table" }) {
              match { id adjudication { verdict } } } }
            """, new { id = Id(record.MatchId) }, token, Ct);
        if (Refusal(answer) is { } refusal)
        {
            return refusal;
        }
        var match = answer.Data.GetProperty("adjudicateMatch").GetProperty("match");
        Assert.Equal(Id(record.MatchId), match.GetProperty("id").GetString());
        return match.GetProperty("adjudication").GetProperty("verdict").GetString() == "SAME" ? Outcome.Adjudicated : answer.Body;
    }

    /// <summary>
    /// Subscribes to <c>matchEvents</c> from the start of the feed over the WebSocket and waits for the cell's match:
    /// a subscriber sees a match exactly as the query does, or is refused.
    /// </summary>
    private static async Task<string> SubscribeAsync(GraphQLFixture fixture, Situation record, bool callerIsOwner, string? token)
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);
        await socket.SendAsync(new
        {
            type = "connection_init",
            payload = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }, Ct);
        var ack = await socket.ReceiveAsync(Ct);
        if (ack.CloseCode is { } closed)
        {
            return closed.ToString(CultureInfo.InvariantCulture);
        }
        Assert.Equal("connection_ack", ack.Type);
        await socket.SendAsync(new
        {
            id = "cell",
            type = "subscribe",
            payload = new
            {
                query = $"subscription($after: String) {{ matchEvents(after: $after) {{ match {{ id {MatchSelection} }} }} }}",
                variables = new { after = new FeedCursor(0, 0).Encode() },
            },
        }, Ct);
        while (true)
        {
            var next = await socket.NextAsync(Ct);
            if (next.Type == "error")
            {
                return next.Payload[0].GetProperty("extensions").GetProperty("code").GetString() ?? next.ToString();
            }
            Assert.True(next.Type == "next", $"expected an event, got {next}");
            Assert.False(next.Payload.TryGetProperty("errors", out _), next.ToString());
            var match = next.Payload.GetProperty("data").GetProperty("matchEvents").GetProperty("match");
            if (match.GetProperty("id").GetString() == Id(record.MatchId))
            {
                return Judge(match, record, next.ToString());
            }
        }
    }

    /// <summary>401, or the error's code (with no data leaked beside it); null when the operation answered.</summary>
    private static string? Refusal(GraphQLResponse answer)
    {
        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal([HubErrorCodeUnauthenticated], answer.ErrorCodes);
            return Outcome.Unauthenticated;
        }
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        if (answer.ErrorCodes is [var code])
        {
            var data = answer.Data;
            Assert.True(data.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
                || data.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Null), answer.ToString());
            return code ?? answer.Body;
        }
        Assert.Empty(answer.ErrorCodes);
        return null;
    }

    private const string HubErrorCodeUnauthenticated = "UNAUTHENTICATED";

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
