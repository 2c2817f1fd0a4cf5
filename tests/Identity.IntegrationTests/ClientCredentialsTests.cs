using System.Net;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Seeding;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>Connectors authenticate with client credentials; people's clients cannot.</summary>
public sealed class ClientCredentialsTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;

    [Fact]
    public async Task ClientCredentials_ConnectorClient_TokenCarriesItsAgencyAndConnectorRole()
    {
        var clientId = Seeder.DemoConnectorId(TestAgencies.CountySheriff);

        var (status, body) = await _identity.ClientCredentialsAsync(clientId, _identity.ClientSecret(clientId));

        Assert.Equal(HttpStatusCode.OK, status);
        var token = Jwt.Read(body.GetProperty("access_token").GetString()!);
        Assert.Equal(TestAgencies.CountySheriff, token.Value(HubClaimTypes.Agency));
        Assert.Equal([HubRoles.Connector], token.Values(HubClaimTypes.Role));
        Assert.Equal(clientId, token.Subject);
        Assert.Equal(["sharinghub-api"], token.Audiences);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.TokenIssued && a.Outcome == AuditOutcome.Success
            && a.ClientId == clientId && a.Detail!.Contains("grant=client_credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientCredentials_OfficerWebClient_IsRefused()
    {
        var (status, body) = await _identity.ClientCredentialsAsync(IdentityApp.WebClient, _identity.ClientSecret(IdentityApp.WebClient));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.TokenRefused && a.Outcome == AuditOutcome.Failure
            && a.ClientId == IdentityApp.WebClient && a.Detail!.Contains("error=unauthorized_client", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientCredentials_PublicCliClient_IsRefused()
    {
        var (status, body) = await _identity.ClientCredentialsAsync(IdentityApp.CliClient, secret: null);

        // OpenIddict refuses client_credentials from a public client as a malformed request.
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.TokenRefused && a.ClientId == IdentityApp.CliClient);
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_IsRefused()
    {
        var clientId = Seeder.DemoConnectorId(TestAgencies.CityPolice);

        var (status, body) = await _identity.ClientCredentialsAsync(clientId, "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.TokenRefused && a.ClientId == clientId
            && a.Detail!.Contains("error=invalid_client", StringComparison.Ordinal));
    }
}
