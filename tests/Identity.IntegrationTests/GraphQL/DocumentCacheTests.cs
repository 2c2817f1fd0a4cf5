using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// A query text that has passed validation once is kept parsed (ADR-009), and the same text sent again is still held
/// to the limits that depend on the request: its complexity is estimated with this request's variables, and its
/// variables are still checked against their types. An operation whose variables are all strings (a cursor) cannot
/// change its cost, so its verdict is kept too.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class DocumentCacheTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Lists within lists whose outer page size is a variable: small with n = 1, over the complexity limit with n = 100.
    // A unique operation name keeps the text this test's own.
    private static readonly string Query = $"query Cached{Guid.NewGuid():N}($n: Int!) {{ matches(first: $n) {{ nodes {{ own {{ matches {{ "
        + "own { matches { counterpart { fields { name value } } } } } } } } }";

    // An inbox page: its only variable is the cursor.
    private static readonly string CursorQuery = $"query Page{Guid.NewGuid():N}($after: String) {{ matches(first: 5, after: $after) {{ "
        + "pageInfo { endCursor } nodes { id } } }";

    private GraphQLOperations Operations => fixture.Gateway.Services.GetRequiredService<GraphQLOperations>();

    [Fact]
    public async Task Post_SameTextAgain_ComplexityAndVariablesCheckedForEachRequest()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var small = await fixture.Client.PostAsync(Query, new { n = 1 }, token, Ct);
        var kept = Operations.Validated(Query);
        var smallAgain = await fixture.Client.PostAsync(Query, new { n = 1 }, token, Ct);
        var large = await fixture.Client.PostAsync(Query, new { n = 100 }, token, Ct);
        var wrongType = await fixture.Client.PostAsync(Query, new { n = "many" }, token, Ct);
        var missing = await fixture.Client.PostAsync(Query, new { }, token, Ct);

        foreach (var answer in new[] { small, smallAgain })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            Assert.Empty(answer.ErrorCodes);
        }
        Assert.NotNull(kept);
        Assert.False(kept.LimitsPassed(operationName: null), "a page size in a variable must be costed on every request");
        Assert.Contains("COMPLEXITY", large.ErrorCodes);
        Assert.Contains(large.ErrorMessages, m => m?.Contains("Query is too complex to execute.", StringComparison.Ordinal) == true);
        Assert.False(large.Json!.Value.TryGetProperty("data", out _), large.ToString());
        foreach (var answer in new[] { wrongType, missing })
        {
            Assert.NotEqual(HttpStatusCode.OK, answer.Status);
            Assert.NotEmpty(answer.ErrorCodes);
            Assert.False(answer.Json!.Value.TryGetProperty("data", out _), answer.ToString());
        }
    }

    [Fact]
    public async Task Post_CursorOnlyOperation_KeptParsedWithItsVerdict_AndStillAnswersEachPage()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        Assert.Null(Operations.Validated(CursorQuery));

        var first = await fixture.Client.PostAsync(CursorQuery, new { after = (string?)null }, token, Ct);
        var kept = Operations.Validated(CursorQuery);
        var cursor = first.Json!.Value.GetProperty("data").GetProperty("matches").GetProperty("pageInfo").GetProperty("endCursor").GetString();
        var next = await fixture.Client.PostAsync(CursorQuery, new { after = cursor }, token, Ct);
        var badCursor = await fixture.Client.PostAsync(CursorQuery, new { after = 5 }, token, Ct);

        Assert.True(first.Status == HttpStatusCode.OK && first.ErrorCodes.Count == 0, first.ToString());
        Assert.NotNull(kept);
        Assert.True(kept.LimitsPassed(operationName: null));
        Assert.Same(kept, Operations.Validated(CursorQuery));
        Assert.True(next.Status == HttpStatusCode.OK && next.ErrorCodes.Count == 0, next.ToString());
        var firstIds = Ids(first);
        Assert.NotEmpty(firstIds);
        Assert.Empty(firstIds.Intersect(Ids(next)));
        Assert.NotEqual(HttpStatusCode.OK, badCursor.Status);
        Assert.NotEmpty(badCursor.ErrorCodes);
    }

    private static List<string> Ids(GraphQLResponse answer) =>
        [.. answer.Json!.Value.GetProperty("data").GetProperty("matches").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!)];
}
