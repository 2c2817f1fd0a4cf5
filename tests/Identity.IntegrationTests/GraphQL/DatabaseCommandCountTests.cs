using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// No N+1: the database commands one GraphQL request issues (counted from Npgsql's own tracing, by the request's trace
/// id and the hub database) are as many for a page of 50 as for a page of 5, because navigations go through batch
/// loaders.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class DatabaseCommandCountTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Inbox = """
        query($first: Int) { matches(first: $first) { totalCount nodes {
          id kind score band createdAt
          own { id kind localId sensitivity contact { name } }
          counterpart { release sensitivity kind agency { code name } contact { name channel } fields { name value } }
          explanation { field level weight text }
          adjudication { verdict } } } }
        """;

    private const string RecordsWithMatches = """
        query($first: Int) { records(kind: PHONE, first: $first) { totalCount nodes {
          id localId
          matches { id kind own { id localId } counterpart { release agency { code } contact { channel } } } } } }
        """;

    [Theory]
    [InlineData("matches", Inbox)]
    [InlineData("records", RecordsWithMatches)]
    public async Task Query_PageOf50_IssuesAsManyCommandsAsAPageOf5(string field, string query)
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Analyst);
        // Once first: token metadata, connection pools and compiled queries are then warm, so only the page size differs.
        await CountCommandsAsync(query, 5, field, token);

        var small = await CountCommandsAsync(query, 5, field, token);
        var large = await CountCommandsAsync(query, 50, field, token);

        Assert.True(small.Commands.Count > 0, "no command was seen: the count would prove nothing");
        Assert.True(small.Commands.Count == large.Commands.Count,
            $"first: 5 issued {small.Commands.Count} commands, first: 50 issued {large.Commands.Count}:\n"
            + string.Join("\n", large.Commands));
    }

    private async Task<(int Nodes, List<string> Commands)> CountCommandsAsync(string query, int first, string field, string token)
    {
        // The request runs in a trace of its own: HttpClient sends the current activity as traceparent, and the
        // Gateway's request (and each of its Npgsql commands) continues it.
        using var root = new Activity("GraphQL command count").SetIdFormat(ActivityIdFormat.W3C).Start();
        var trace = root.TraceId;
        var commands = new ConcurrentQueue<string>();
        var seen = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            // ASP.NET Core continues the request's trace (traceparent) only when someone listens to its source.
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && seen.Count < 5)
                {
                    seen.Enqueue($"{activity.TraceId} {activity.DisplayName} [{string.Join(", ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))}]");
                }
                if (activity.Source.Name == "Npgsql" && activity.TraceId == trace && IsCommandOnHubDatabase(activity))
                {
                    commands.Enqueue(activity.DisplayName + ": " + (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var answer = await fixture.Client.PostRawAsync(JsonSerializer.Serialize(new { query, variables = new { first } }), token, cancellationToken: Ct);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Empty(answer.ErrorCodes);
        var nodes = answer.Data.GetProperty(field).GetProperty("nodes").GetArrayLength();
        // The page is full, so the larger page really has more rows to navigate from.
        Assert.Equal(first, nodes);
        Assert.True(!commands.IsEmpty, $"trace {trace}: no command seen; Npgsql activities: {string.Join("; ", seen)}");
        return (nodes, [.. commands]);
    }

    private bool IsCommandOnHubDatabase(Activity activity)
    {
        var database = activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name");
        var statement = activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement");
        // The read audit's insert is not the page's reading: it writes the reads of every operation that finished
        // meanwhile in one statement, so it runs in whichever operation's trace started that write (ReadAudit).
        return statement is not null && Equals(database, fixture.HubDatabaseName)
            && !statement.ToString()!.Contains("INSERT INTO audit_events", StringComparison.Ordinal);
    }
}
