using System.Net;
using System.Web;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// The hub and the victim-service organization's own identity provider, whose rules (misconfigured on purpose)
/// map its people to enforcement roles too.
/// </summary>
public sealed class ShelterFederationFixture : IdentityFixture
{
    public UpstreamProvider Shelter { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Federation:Providers:0:Agency"] = TestAgencies.Shelter,
        ["Federation:Providers:0:DisplayName"] = "Shelter sign-in",
        ["Federation:Providers:0:Issuer"] = Shelter.Issuer.AbsoluteUri,
        ["Federation:Providers:0:ClientId"] = FederationFixture.UpstreamClientId,
        ["Federation:Providers:0:ClientSecret"] = FederationFixture.UpstreamSecret,
        ["Federation:Providers:0:Rules:0:Claim"] = "groups",
        ["Federation:Providers:0:Rules:0:Value"] = "caseworkers",
        ["Federation:Providers:0:Rules:0:Roles:0"] = HubRoles.Officer,
        ["Federation:Providers:0:Rules:0:Roles:1"] = HubRoles.Advocate,
        ["Federation:Providers:0:Rules:0:Leo"] = "true",
        ["Federation:Providers:0:Rules:1:Claim"] = "groups",
        ["Federation:Providers:0:Rules:1:Value"] = "investigators",
        ["Federation:Providers:0:Rules:1:Roles:0"] = HubRoles.Supervisor,
        ["Federation:Providers:0:Rules:1:Roles:1"] = HubRoles.Analyst,
    };

    public override async ValueTask InitializeAsync()
    {
        Shelter = await UpstreamProvider.StartAsync(FederationFixture.UpstreamClientId, FederationFixture.UpstreamSecret,
            uri => uri.AbsolutePath.StartsWith("/federation/callback/", StringComparison.Ordinal));
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Shelter.DisposeAsync();
    }
}

/// <summary>A victim-service organization's people never get enforcement roles, whatever its provider's rules say.</summary>
public sealed class VictimServicesFederationTests(ShelterFederationFixture fixture) : IClassFixture<ShelterFederationFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FederatedLogon_ShelterRuleMapsOfficerAndAdvocate_TokenCarriesOnlyAdvocateAndNoLeo()
    {
        fixture.Shelter.NextUser = [("sub", "caseworker-4"), ("groups", "caseworkers")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");

        var loginPage = await browser.StartAsync(request, Ct);
        var callback = await browser.FollowAsync(ShelterLink(loginPage), IdentityApp.CliRedirectUri, Ct);
        var tokens = await browser.RedeemAsync(callback, request, clientSecret: null, Ct);

        var token = Jwt.Read(tokens.AccessToken);
        Assert.Equal(TestAgencies.Shelter, token.Value(HubClaimTypes.Agency));
        Assert.Equal([HubRoles.Advocate], token.Values(HubClaimTypes.Role));
        Assert.NotEqual("true", token.Value(HubClaimTypes.Leo));
    }

    [Fact]
    public async Task FederatedLogon_ShelterRuleMapsOnlyEnforcementRoles_IsRefused()
    {
        fixture.Shelter.NextUser = [("sub", "investigator-9"), ("groups", "investigators")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");

        var loginPage = await browser.StartAsync(request, Ct);
        var result = await browser.FollowAsync(ShelterLink(loginPage), IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback, result.Url.ToString());
        Assert.True(HttpStatusCode.Forbidden == result.Status, result.Url + " " + result.Body);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
            && a.Actor == $"{TestAgencies.Shelter}:investigator-9" && a.Detail!.Contains("no hub role", StringComparison.Ordinal));
    }

    /// <summary>The login page's link to the shelter's provider, as a person would click it.</summary>
    private static Uri ShelterLink(FlowStep loginPage)
    {
        Assert.False(loginPage.IsCallback);
        var marker = $"href=\"/federation/login/{TestAgencies.Shelter}?returnUrl=";
        var start = loginPage.Body!.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, "The login page lists the shelter's provider.");
        var end = loginPage.Body.IndexOf('"', start + 6);
        return new Uri(loginPage.Url, HttpUtility.HtmlDecode(loginPage.Body[(start + 6)..end]));
    }
}
