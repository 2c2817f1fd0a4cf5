using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// <c>submitOperation</c>: an officer enters a planned operation and is answered at once, with the conflicts the real
/// engine found among other agencies' operations, released by their labels. Its own fixture: the operations it stores
/// would change the shared data set's match counts.
/// </summary>
public sealed class SubmitOperationTests(GraphQLFixture fixture) : IClassFixture<GraphQLFixture>
{
    private const string Submit = """
        mutation Submit($input: SubmitOperationInput!) {
          submitOperation(input: $input) {
            accepted matchingComplete
            operation { id kind localId version sensitivity caseRef contact { name channel } }
            conflicts { kind counterpart { release agency { code } contact { name channel } fields { name value } } }
          }
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitOperation_OverlappingAnotherAgencysOperation_AcceptedWithTheConflictReleasedByItsLabel()
    {
        var sheriff = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Officer);
        var police = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Supervisor);

        var first = await SubmitAsync(sheriff, Operation("SO-OP-1", 29.7610, -95.3689, 400, "2027-03-01T11:00:00Z", "2027-03-01T14:00:00Z", "OPEN"));
        var second = await SubmitAsync(police, Operation("PD-OP-1", 29.7604, -95.3698, 300, "2027-03-01T10:00:00Z", "2027-03-01T12:00:00Z", "AGENCY_ONLY"));

        Assert.True(first.GetProperty("accepted").GetBoolean());
        Assert.Empty(first.GetProperty("conflicts").EnumerateArray());
        Assert.True(second.GetProperty("accepted").GetBoolean());
        Assert.True(second.GetProperty("matchingComplete").GetBoolean());
        var conflict = Assert.Single(second.GetProperty("conflicts").EnumerateArray());
        Assert.Equal("OPERATION_CONFLICT", conflict.GetProperty("kind").GetString());
        var counterpart = conflict.GetProperty("counterpart");
        Assert.Equal("FULL", counterpart.GetProperty("release").GetString());
        Assert.Equal(fixture.CountySheriff, counterpart.GetProperty("agency").GetProperty("code").GetString());
        Assert.Equal("Sgt. Test", counterpart.GetProperty("contact").GetProperty("name").GetString());
        Assert.Contains(counterpart.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "radiusMeters" && f.GetProperty("value").GetString() == "400");

        // The other side sees the same conflict, released by the police operation's own label: contact only.
        var seen = await fixture.Client.PostAsync(
            "{ matches(kind: OPERATION_CONFLICT) { edges { node { own { localId } counterpart { release agency { code } fields { name } } } } } }",
            token: sheriff, cancellationToken: Ct);
        var node = Assert.Single(seen.Data.GetProperty("matches").GetProperty("edges").EnumerateArray()).GetProperty("node");
        Assert.Equal("SO-OP-1", node.GetProperty("own").GetProperty("localId").GetString());
        Assert.Equal("CONTACT_ONLY", node.GetProperty("counterpart").GetProperty("release").GetString());
        Assert.Empty(node.GetProperty("counterpart").GetProperty("fields").EnumerateArray());
    }

    [Fact]
    public async Task SubmitOperation_TypedByAPerson_StoredAsTheAgencysRecordWithItsChannelInE164AndReplacedBySubmittingAgain()
    {
        var officer = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var first = await SubmitAsync(officer, Operation("PD-OP-2", 30.2672, -97.7431, 150, "2027-04-01T08:00:00Z", "2027-04-01T09:00:00Z", "RESTRICTED",
            channel: "+1 (512) 555-0143"));
        var again = await SubmitAsync(officer, Operation("PD-OP-2", 30.2672, -97.7431, 150, "2027-04-02T08:00:00Z", "2027-04-02T09:00:00Z", "RESTRICTED",
            channel: "+1 (512) 555-0143"));

        var operation = first.GetProperty("operation");
        Assert.Equal("LOCATION", operation.GetProperty("kind").GetString());
        Assert.Equal("RESTRICTED", operation.GetProperty("sensitivity").GetString());
        Assert.Equal("C-77", operation.GetProperty("caseRef").GetString());
        Assert.Equal("+15125550143", operation.GetProperty("contact").GetProperty("channel").GetString());
        Assert.Equal(operation.GetProperty("id").GetString(), again.GetProperty("operation").GetProperty("id").GetString());
        Assert.True(again.GetProperty("operation").GetProperty("version").GetInt64() > operation.GetProperty("version").GetInt64());
        var stored = await fixture.Gateway.WithDatabaseAsync(db => db.Records.AsNoTracking()
            .Where(r => r.AgencyCode == fixture.CityPolice && r.LocalId == "PD-OP-2").ToListAsync(Ct));
        var record = Assert.Single(stored);
        Assert.Equal(new DateTime(2027, 4, 2, 8, 0, 0, DateTimeKind.Utc), record.OperationWindow!.Value.LowerBound);
    }

    [Fact]
    public async Task SubmitOperation_BrokenRules_ValidationNamingEachFieldAndNothingStored()
    {
        var officer = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var answer = await fixture.Client.PostAsync(Submit, new
        {
            input = Operation("PD-OP-BAD", 95.0, -95.3698, -5, "2027-03-01T12:00:00Z", "2027-03-01T10:00:00Z", "OPEN", channel: "call me"),
        }, officer, Ct);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(["VALIDATION"], answer.ErrorCodes);
        var message = Assert.Single(answer.ErrorMessages)!;
        Assert.Contains("input.location.lat: out_of_range", message, StringComparison.Ordinal);
        Assert.Contains("input.radiusMeters: out_of_range", message, StringComparison.Ordinal);
        Assert.Contains("input.endsAt: before_start", message, StringComparison.Ordinal);
        Assert.Contains("input.contact.channel: not_a_channel", message, StringComparison.Ordinal);
        Assert.DoesNotContain("call me", message, StringComparison.Ordinal);
        Assert.False(await StoredAsync(fixture.CityPolice, "PD-OP-BAD"));
    }

    [Theory]
    [InlineData("city", HubRoles.Analyst)]
    [InlineData("city", HubRoles.Admin)]
    [InlineData("shelter", HubRoles.Advocate)]
    public async Task SubmitOperation_RoleOrAgencyThatRunsNoOperations_ForbiddenAndNothingStored(string agency, string role)
    {
        var code = agency == "city" ? fixture.CityPolice : fixture.Shelter;
        var token = await fixture.TokenAsync(code, role);
        var localId = $"OP-{role}";

        var answer = await fixture.Client.PostAsync(Submit, new
        {
            input = Operation(localId, 29.7604, -95.3698, 300, "2027-05-01T10:00:00Z", "2027-05-01T12:00:00Z", "OPEN"),
        }, token, Ct);

        Assert.Equal(["FORBIDDEN"], answer.ErrorCodes);
        Assert.False(await StoredAsync(code, localId));
    }

    [Fact]
    public async Task SubmitOperation_Anonymous_401AndNothingStored()
    {
        var answer = await fixture.Client.PostAsync(Submit, new
        {
            input = Operation("OP-ANON", 29.7604, -95.3698, 300, "2027-05-01T10:00:00Z", "2027-05-01T12:00:00Z", "OPEN"),
        }, token: null, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.False(await StoredAsync(fixture.CityPolice, "OP-ANON"));
    }

    private static object Operation(string localId, double lat, double lon, double radius, string startsAt, string endsAt, string sensitivity,
        string channel = "+15125550100") => new
        {
            localId,
            caseRef = "C-77",
            location = new { lat, lon },
            radiusMeters = radius,
            startsAt,
            endsAt,
            contact = new { name = "Sgt. Test", channel },
            sensitivity,
        };

    private async Task<JsonElement> SubmitAsync(string token, object input)
    {
        var answer = await fixture.Client.PostAsync(Submit, new { input }, token, Ct);
        Assert.True(answer.Status == HttpStatusCode.OK && answer.ErrorCodes.Count == 0, answer.ToString());
        return answer.Data.GetProperty("submitOperation");
    }

    private Task<bool> StoredAsync(string agency, string localId) =>
        fixture.Gateway.WithDatabaseAsync(db => db.Records.AnyAsync(r => r.AgencyCode == agency && r.LocalId == localId, Ct));
}
