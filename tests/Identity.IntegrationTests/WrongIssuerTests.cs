using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// Gateway trusts one issuer: a token signed with Identity's own current key but naming another issuer (another
/// hub's Identity, or a copy of the key elsewhere) is refused. The same token with the right issuer is the control.
/// </summary>
public sealed class WrongIssuerTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("http://127.0.0.1:1/", HttpStatusCode.Unauthorized)]
    [InlineData("https://identity.other-hub.example/", HttpStatusCode.Unauthorized)]
    [InlineData(null, HttpStatusCode.OK)]
    public async Task Me_TokenSignedByTheCurrentKey_AcceptedOnlyFromTheTrustedIssuer(string? issuer, HttpStatusCode expected)
    {
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? fixture.App.BaseUri.AbsoluteUri,
            Audience = "sharinghub-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", "issuer-test"), new Claim("agency", TestAgencies.CityPolice),
                new Claim("role", HubRoles.Officer), new Claim("client_id", IdentityApp.CliClient),
            ]),
            SigningCredentials = new SigningCredentials(new X509SecurityKey(fixture.NewerSigningKey), SecurityAlgorithms.RsaSha256),
        });
        using var client = fixture.Gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/me", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
    }
}
