using System.Net;
using System.Text;
using System.Text.Json;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// Hostile documents are refused before any resolver runs, each with its own error and code, while another agency's
/// ordinary query, sent at the same time from its own connection, keeps being answered.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class AbuseTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>How many copies of the hostile request are sent at once.</summary>
    private const int Copies = 8;

    /// <summary>How many ordinary queries the other client sends, one after another, while they run.</summary>
    private const int OrdinaryQueries = 10;

    public static TheoryData<string> Kinds() => [.. Abuses.Keys];

    private sealed record Abuse(string Body, HttpStatusCode Status, string Code, string Message);

    private static readonly Dictionary<string, Abuse> Abuses = new(StringComparer.Ordinal)
    {
        // 25 levels through single objects (no list), so depth alone is over its limit (15), not complexity.
        ["deep nesting"] = new(Body("{ __type(name: \"Match\") { " + Repeat("ofType { ", 24) + "name" + Repeat(" }", 24) + " } }"),
            HttpStatusCode.BadRequest, "COMPLEXITY", "Query is too nested to execute."),
        // 31 aliases of one cheap field: alias flooding repeats a resolver without depth.
        ["alias flooding"] = new(Body("{ " + string.Join(" ", Enumerable.Range(0, 31).Select(i => $"a{i}: me {{ subject }}")) + " }"),
            HttpStatusCode.BadRequest, "ALIAS_LIMIT", "The document uses more than 30 aliases."),
        // 501 selections of one field, no alias, shallow.
        ["too many fields"] = new(Body("{ me { " + Repeat("subject ", 501) + "} }"),
            HttpStatusCode.BadRequest, "FIELD_LIMIT", "The document selects more than 500 fields"),
        // Lists within lists: 100 matches × 20 records' matches × 20 fields × ...
        ["high complexity"] = new(Body("{ matches(first: 100) { nodes { own { matches { own { matches { counterpart { fields { name value } } } } } } } } }"),
            HttpStatusCode.BadRequest, "COMPLEXITY", "Query is too complex to execute."),
        // A 70 KB comment: over the 64 KiB request limit, refused before it is parsed.
        ["oversized request"] = new(Body("# " + new string('x', 70_000) + "\n{ me { subject } }"),
            HttpStatusCode.RequestEntityTooLarge, "BAD_REQUEST", "The request is larger than 65536 bytes."),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Post_HostileDocument_RefusedWithItsErrorWhileAnotherClientIsAnswered(string kind)
    {
        var abuse = Abuses[kind];
        var attacker = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Analyst);
        var bystander = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Officer);
        using var bystanderClient = new GraphQLClient(fixture.GraphQLUri);

        var refusals = Enumerable.Range(0, Copies).Select(_ => fixture.Client.PostRawAsync(abuse.Body, attacker, cancellationToken: Ct)).ToList();
        var ordinary = Task.Run(async () =>
        {
            var answers = new List<GraphQLResponse>();
            for (var i = 0; i < OrdinaryQueries; i++)
            {
                answers.Add(await bystanderClient.PostAsync("{ me { agencyCode } matches(first: 5) { totalCount nodes { id kind } } }",
                    token: bystander, cancellationToken: Ct));
            }
            return answers;
        }, Ct);
        await Task.WhenAll([.. refusals, ordinary]);
        var refused = await Task.WhenAll(refusals);
        var answered = await ordinary;

        foreach (var refusal in refused)
        {
            Assert.True(refusal.Status == abuse.Status, $"{kind}: {refusal}");
            Assert.Contains(abuse.Code, refusal.ErrorCodes);
            Assert.Contains(refusal.ErrorMessages, m => m?.Contains(abuse.Message, StringComparison.Ordinal) == true);
            // Refused before execution: no data at all.
            Assert.False(refusal.Json!.Value.TryGetProperty("data", out _), $"{kind}: {refusal}");
        }
        foreach (var answer in answered)
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            Assert.Empty(answer.ErrorCodes);
            Assert.Equal(fixture.CountySheriff, answer.Data.GetProperty("me").GetProperty("agencyCode").GetString());
            Assert.Equal(5, answer.Data.GetProperty("matches").GetProperty("nodes").GetArrayLength());
        }
    }

    /// <summary>
    /// The complexity limit stops lists within lists, not a full page: the inbox's own query, and a page of records
    /// with each one's matches, evidence and released fields, at the largest page size, are answered.
    /// </summary>
    [Theory]
    [InlineData("{ matches(open: true, first: 100) { totalCount nodes { id kind band score open createdAt own { localId kind } "
        + "explanation { field level weight text } counterpart { release sensitivity agency { code name } contact { name channel } fields { name value } } } } }")]
    [InlineData("{ records(first: 100) { totalCount nodes { localId kind matches { id kind band score "
        + "explanation { field level text } counterpart { release agency { code } fields { name value } } } } } }")]
    public async Task Post_FullPageOfMatchesWithEvidence_IsAnswered(string query)
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);

        var answer = await fixture.Client.PostAsync(query, token: token, cancellationToken: Ct);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Empty(answer.ErrorCodes);
    }

    private static string Body(string query) => JsonSerializer.Serialize(new { query });

    private static string Repeat(string text, int times) => new StringBuilder(text.Length * times).Insert(0, text, times).ToString();
}
