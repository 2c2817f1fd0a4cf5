using System.Reflection;
using System.Text.Json;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Seeding;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// panva's openid-client (a certified OpenID relying-party library) and jose, unmodified, from npm, against Identity
/// on a real port: discovery, JWKS, client credentials, and local validation of the access token.
/// </summary>
public sealed class RealClientTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static readonly NodeClient Client = new(Path.GetFullPath(typeof(RealClientTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OidcClientDirectory").Value!));

    [Fact]
    public async Task OpenIdClient_ClientCredentials_PassesDiscoveryJwksGrantAndValidation()
    {
        var clientId = Seeder.DemoConnectorId(TestAgencies.Shelter);
        await Client.EnsureInstalledAsync("openid-client", "jose");

        var (exitCode, output, errors) = await Client.RunAsync("node",
            ["check.mjs", fixture.App.BaseUri.AbsoluteUri, clientId, fixture.App.ClientSecret(clientId)]);

        Assert.True(exitCode == 0, $"node check.mjs failed ({exitCode}): {errors}{output}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.Equal(fixture.App.BaseUri.AbsoluteUri, root.GetProperty("issuer").GetString());
        Assert.True(root.GetProperty("jwksKeys").GetInt32() > 0);
        Assert.Equal("RS256", root.GetProperty("alg").GetString());
        Assert.Equal(clientId, root.GetProperty("sub").GetString());
        Assert.Equal(TestAgencies.Shelter, root.GetProperty("agency").GetString());
        Assert.Equal("sharinghub-api", root.GetProperty("aud").GetString());
        Assert.Contains(await fixture.App.AuditAsync(), a => a.Event == AuditEvents.TokenIssued && a.ClientId == clientId);
    }
}
