using System.Net;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// A query text that has passed validation once is kept parsed (ADR-009), and the same text sent again is still held
/// to the limits that depend on the request: its complexity is estimated with this request's variables, and its
/// variables are still checked against their types.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class DocumentCacheTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Lists within lists whose outer page size is a variable: small with n = 1, over the complexity limit with n = 100.
    // A unique operation name keeps the text this test's own.
    private static readonly string Query = $"query Cached{Guid.NewGuid():N}($n: Int!) {{ matches(first: $n) {{ nodes {{ own {{ matches {{ "
        + "own { matches { counterpart { fields { name value } } } } } } } } }";

    [Fact]
    public async Task Post_SameTextAgain_ComplexityAndVariablesCheckedForEachRequest()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var small = await fixture.Client.PostAsync(Query, new { n = 1 }, token, Ct);
        var smallAgain = await fixture.Client.PostAsync(Query, new { n = 1 }, token, Ct);
        var large = await fixture.Client.PostAsync(Query, new { n = 100 }, token, Ct);
        var wrongType = await fixture.Client.PostAsync(Query, new { n = "many" }, token, Ct);
        var missing = await fixture.Client.PostAsync(Query, new { }, token, Ct);

        foreach (var answer in new[] { small, smallAgain })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            Assert.Empty(answer.ErrorCodes);
        }
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
}
