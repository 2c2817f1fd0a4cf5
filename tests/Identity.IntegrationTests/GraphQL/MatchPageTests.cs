using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// The <c>matches</c> connection reads its pages with hand-written SQL (Visibility.VisibleMatchesPage) on connections
/// that keep one generic plan per statement. These tests hold that SQL to the rule it restates (the matches one of
/// whose records is the reader's agency's, narrowed by the arguments), and its kept plan to the agency's indexes.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed partial class MatchPageTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Filters => new()
    {
        { "", "" },
        { "band: MATCH", "Match||" },
        { "band: POSSIBLE", "Possible||" },
        { "kind: SHARED_PHONE", "|SharedPhone|" },
        { "kind: PERSON_IDENTITY", "|PersonIdentity|" },
        { "open: true", "||open" },
        { "open: false", "||closed" },
        { "kind: PERSON_IDENTITY, open: true", "|PersonIdentity|open" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Matches_PagedBySevens_EveryVisibleMatchOnceNewestFirst_ForEachReader(string arguments, string filter)
    {
        var readers = new[] { (fixture.CityPolice, HubRoles.Analyst), (fixture.CountySheriff, HubRoles.Officer), (fixture.Shelter, HubRoles.Advocate) };
        var listedSome = false;
        foreach (var (agency, role) in readers)
        {
            var expected = await ExpectedAsync(agency, filter);
            var (ids, total) = await PageThroughAsync(await fixture.TokenAsync(agency, role), arguments);

            Assert.Equal(expected, ids);
            Assert.Equal(expected.Count, total);
            listedSome |= ids.Count > 7;
        }
        if (arguments.Length == 0)
        {
            Assert.True(listedSome, "no reader had more than one page of matches: the paging would prove nothing");
        }
    }

    [Fact]
    public async Task MatchPage_KeptGenericPlan_ReadsEachAgencyIndexByRange_NeverTheWholeTableById()
    {
        var (sql, connectionString) = await fixture.Gateway.WithDatabaseAsync(db => Task.FromResult((
            db.VisibleMatchesPage(Reader(fixture.Shelter), AgencyKind.VictimServices, new MatchFilter(Open: true), 1_000_000, 51).ToQueryString(),
            db.Database.GetConnectionString())));
        var (statement, values) = Prepared(sql);

        // A connection of its own (its settings and the prepared statement end with it). The fixture's tables are small
        // enough that reading them whole and sorting would be cheapest: with sequential and bitmap scans and sorts off,
        // the choice left is the one a large hub makes, between the table's id order and the agency's index.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using (var prepare = new NpgsqlCommand(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off; " +
            $"PREPARE page AS {statement}", connection))
        {
            await prepare.ExecuteNonQueryAsync(Ct);
        }
        await using var explain = new NpgsqlCommand($"EXPLAIN EXECUTE page({string.Join(", ", values)})", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(0));
            }
        }
        var text = string.Join("\n", plan);

        Assert.True(text.Contains("Index Scan Backward using ix_matches_agency_a_id", StringComparison.Ordinal)
            && text.Contains("Index Scan Backward using ix_matches_agency_b_id", StringComparison.Ordinal)
            && !text.Contains("pk_matches", StringComparison.Ordinal), $"the kept plan:\n{text}");
    }

    private async Task<(List<long> Ids, int Total)> PageThroughAsync(string token, string arguments)
    {
        var ids = new List<long>();
        var total = -1;
        string? after = null;
        for (var page = 0; page < 1000; page++)
        {
            var answer = await fixture.Client.PostAsync(
                $$"""
                query Page($after: String) { matches({{arguments}}{{(arguments.Length > 0 ? ", " : "")}}first: 7, after: $after) {
                  totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
                """,
                new { after }, token, Ct);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var matches = answer.Data.GetProperty("matches");
            total = matches.GetProperty("totalCount").GetInt32();
            ids.AddRange(matches.GetProperty("nodes").EnumerateArray().Select(n => long.Parse(n.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            var info = matches.GetProperty("pageInfo");
            if (!info.GetProperty("hasNextPage").GetBoolean())
            {
                return (ids, total);
            }
            after = info.GetProperty("endCursor").GetString();
        }
        throw new InvalidOperationException("The pages never ended.");
    }

    // The rule itself, in LINQ over the table: the matches one of whose records is the agency's, narrowed, newest first.
    private Task<List<long>> ExpectedAsync(string agency, string filter) => fixture.Gateway.WithDatabaseAsync(async db =>
    {
        var parts = filter.Split('|');
        var matches = db.Matches.AsNoTracking().Where(m => m.AgencyA == agency || m.AgencyB == agency);
        if (parts.Length == 3)
        {
            if (parts[0].Length > 0)
            {
                matches = matches.Where(m => m.Band == parts[0]);
            }
            if (parts[1].Length > 0)
            {
                var kind = Enum.Parse<MatchKind>(parts[1]);
                matches = matches.Where(m => m.Kind == kind);
            }
            if (parts[2].Length > 0)
            {
                matches = parts[2] == "open" ? matches.Where(m => m.ClosedAt == null) : matches.Where(m => m.ClosedAt != null);
            }
        }
        return await matches.OrderByDescending(m => m.Id).Select(m => m.Id).ToListAsync();
    });

    private static HubPrincipal Reader(string agency) => HubPrincipal.From(new System.Security.Claims.ClaimsPrincipal(
        new System.Security.Claims.ClaimsIdentity(
        [
            new System.Security.Claims.Claim(HubClaimTypes.Subject, "match-page-test"),
            new System.Security.Claims.Claim(HubClaimTypes.Agency, agency),
            new System.Security.Claims.Claim(HubClaimTypes.Role, HubRoles.Advocate),
        ], "test")))!;

    // EF Core's query string (its parameters as "-- name='value'" lines, then the SQL) as a PREPARE body with $n and
    // the values in the same order, as SQL literals.
    private static (string Statement, List<string> Values) Prepared(string queryString)
    {
        var lines = queryString.Split('\n');
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.StartsWith("-- ", StringComparison.Ordinal)))
        {
            var match = ParameterLine().Match(line);
            Assert.True(match.Success, $"an unexpected parameter line: {line}");
            values[match.Groups["name"].Value] = match.Groups["value"].Value;
        }
        var sql = string.Join('\n', lines.Where(l => !l.StartsWith("--", StringComparison.Ordinal)));
        var order = new List<string>();
        var statement = ParameterUse().Replace(sql, m =>
        {
            var name = m.Groups[1].Value;
            if (!order.Contains(name))
            {
                order.Add(name);
            }
            return "$" + (order.IndexOf(name) + 1);
        });
        return (statement, order.Select(name => values[name]).ToList());
    }

    [GeneratedRegex("^-- @?(?<name>\\w+)=(?<value>'[^']*'|\\S+)")]
    private static partial Regex ParameterLine();

    [GeneratedRegex("@(\\w+)")]
    private static partial Regex ParameterUse();
}
