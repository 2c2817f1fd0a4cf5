using Microsoft.EntityFrameworkCore;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// The Gateway keeps the agency table in memory between requests; a change to the table reaches the next requests
/// through the change-feed listener, without a restart.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class AgencyDirectoryTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agencies_AddedAndRenamedWhileTheGatewayRuns_TheQueryShowsEachChange()
    {
        var token = await fixture.TokenAsync(fixture.CityPolice, HubRoles.Officer);
        // Read once, so that the directory holds a copy without the new agency.
        await NamesAsync(token);
        var code = "DIR" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        await fixture.Gateway.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync(
            $"INSERT INTO agencies (code, name, kind, region, created_at) VALUES ({code}, 'Directory Test Agency', 'LawEnforcement', 'US', now())", Ct));
        await Eventually.UntilAsync(() => NamesAsync(token), names => names.GetValueOrDefault(code) == "Directory Test Agency",
            "the new agency in the agencies query", cancellationToken: Ct);

        await fixture.Gateway.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE agencies SET name = 'Directory Test Agency, renamed' WHERE code = {code}", Ct));
        await Eventually.UntilAsync(() => NamesAsync(token), names => names.GetValueOrDefault(code) == "Directory Test Agency, renamed",
            "the new name in the agencies query", cancellationToken: Ct);

        await fixture.Gateway.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM agencies WHERE code = {code}", Ct));
        await Eventually.UntilAsync(() => NamesAsync(token), names => !names.ContainsKey(code),
            "the deleted agency gone from the agencies query", cancellationToken: Ct);
    }

    private async Task<Dictionary<string, string?>> NamesAsync(string token)
    {
        var answer = await fixture.Client.PostAsync("{ agencies { code name } }", token: token, cancellationToken: Ct);
        return answer.Data.GetProperty("agencies").EnumerateArray()
            .ToDictionary(a => a.GetProperty("code").GetString()!, a => a.GetProperty("name").GetString(), StringComparer.Ordinal);
    }
}
