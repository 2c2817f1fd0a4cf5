using System.Reflection;
using System.Text.Json;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// graphql-http's server audits (the GraphQL-over-HTTP specification's checks, <c>auditServer</c> from npm, unmodified,
/// in tests/graphql-clients/audit.mjs) against the running Gateway with an officer's real token: every MUST audit
/// passes; the SHOULD and MAY results are printed.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class GraphQLHttpAuditTests(GraphQLFixture fixture)
{
    private static readonly NodeClient Clients = new(Path.GetFullPath(typeof(GraphQLHttpAuditTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GraphQLClientsDirectory").Value!));

    private static readonly string[] Levels = ["MUST", "SHOULD", "MAY"];

    [Fact]
    public async Task AuditServer_WithAnOfficersToken_EveryMustAuditPasses()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        await Clients.EnsureInstalledAsync("graphql-http", "graphql");

        var (exitCode, output, errors) = await Clients.RunAsync("node", ["audit.mjs", fixture.GraphQLUri.AbsoluteUri, token]);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length > 0, $"node audit.mjs printed nothing ({exitCode}): {errors}");
        var audits = lines[..^1].Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        var failedMust = audits.Where(a => a.GetProperty("name").GetString()!.StartsWith("MUST ", StringComparison.Ordinal)
            && a.GetProperty("status").GetString() != "ok").Select(a => a.ToString()).ToList();
        using var summary = JsonDocument.Parse(lines[^1]);
        var counts = summary.RootElement.GetProperty("summary");
        var report = string.Join(", ", Levels.Select(level =>
            $"{level} {counts.GetProperty(level).GetProperty("ok").GetInt32()}/"
            + $"{counts.GetProperty(level).GetProperty("ok").GetInt32() + counts.GetProperty(level).GetProperty("failed").GetInt32()}"));
        TestContext.Current.TestOutputHelper?.WriteLine($"graphql-http auditServer: {report}");
        foreach (var failed in audits.Where(a => a.GetProperty("status").GetString() != "ok"))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"not ok: {failed}");
        }

        Assert.True(audits.Count > 0, $"no audit ran: {output}{errors}");
        Assert.True(failedMust.Count == 0, $"{report}; failed MUST audits:\n{string.Join("\n", failedMust)}");
        Assert.Equal(0, counts.GetProperty("MUST").GetProperty("failed").GetInt32());
        Assert.True(exitCode == 0, $"node audit.mjs exited {exitCode} ({report}): {errors}");
    }
}
