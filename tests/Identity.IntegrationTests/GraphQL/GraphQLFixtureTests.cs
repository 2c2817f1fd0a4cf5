using System.Net;
using SharingHub.Contracts.V1;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>The fixture itself: a token from Identity is accepted by the Gateway, and the engine matched the data.</summary>
[Collection(GraphQLGroup.Name)]
public sealed class GraphQLFixtureTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Officer_MeAndMatches_AgencyFromTheTokenAndEveryMatchOfTheData()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var answer = await fixture.Client.PostAsync(
            "{ me { agency { code kind } roles } matches(first: 1) { totalCount } records(kind: PHONE) { totalCount } }",
            token: token, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(fixture.CityPolice, answer.Data.GetProperty("me").GetProperty("agency").GetProperty("code").GetString());
        Assert.Equal([HubRoles.Officer], answer.Data.GetProperty("me").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        // 60 shared phones, 3 enforcement persons, 3 shelter clients.
        Assert.Equal(GraphQLFixture.SharedPhones + 6, answer.Data.GetProperty("matches").GetProperty("totalCount").GetInt32());
        Assert.Equal(GraphQLFixture.SharedPhones, answer.Data.GetProperty("records").GetProperty("totalCount").GetInt32());
        Assert.NotEqual(fixture.EnforcementRecord(Sensitivity.Open).MatchId, fixture.ShelterRecord(Sensitivity.Open).MatchId);
    }

    [Fact]
    public async Task Matches_PagedWithAfter_EveryMatchOnceInTheOrderOfOnePage()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        var whole = await fixture.Client.PostAsync("{ matches(first: 100) { nodes { id } } }", token: token, cancellationToken: Ct);
        var expected = whole.Data.GetProperty("matches").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();

        var paged = new List<string?>();
        string? after = null;
        while (true)
        {
            var page = await fixture.Client.PostAsync("query($after: String) { matches(first: 7, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }",
                new { after }, token, Ct);
            var matches = page.Data.GetProperty("matches");
            paged.AddRange(matches.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
            if (!matches.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean())
            {
                break;
            }
            after = matches.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        }

        Assert.True(expected.Count > 7, $"the data set should span several pages: {expected.Count}");
        Assert.Equal(expected, paged);
    }
}
