using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Web;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// The hub and two other OpenIddict servers on real ports: one is the County Sheriff's registered identity
/// provider, the other an identity provider the hub does not trust.
/// </summary>
public sealed class FederationFixture : IdentityFixture
{
    public const string UpstreamClientId = "sharinghub";
    public const string UpstreamSecret = "upstream-test-secret";

    public UpstreamProvider Trusted { get; private set; } = null!;

    public UpstreamProvider Untrusted { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Federation:Providers:0:Agency"] = TestAgencies.CountySheriff,
        ["Federation:Providers:0:DisplayName"] = "County Sheriff sign-in",
        ["Federation:Providers:0:Issuer"] = Trusted.Issuer.AbsoluteUri,
        ["Federation:Providers:0:ClientId"] = UpstreamClientId,
        ["Federation:Providers:0:ClientSecret"] = UpstreamSecret,
        ["Federation:Providers:0:Rules:0:Claim"] = "groups",
        ["Federation:Providers:0:Rules:0:Value"] = "detectives",
        ["Federation:Providers:0:Rules:0:Roles:0"] = HubRoles.Officer,
        ["Federation:Providers:0:Rules:0:Leo"] = "true",
        ["Federation:Providers:0:Rules:1:Claim"] = "groups",
        ["Federation:Providers:0:Rules:1:Value"] = "intel",
        ["Federation:Providers:0:Rules:1:Roles:0"] = HubRoles.Analyst,
        ["Federation:Providers:0:Rules:1:Cfr28"] = "true",
    };

    /// <summary>This fixture's settings, with some changed (for a second Identity on the same database and keys).</summary>
    public Dictionary<string, string?> SettingsWith(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }
        return settings;
    }

    public override async ValueTask InitializeAsync()
    {
        static bool AnyHubCallback(Uri uri) => uri.AbsolutePath.StartsWith("/federation/callback/", StringComparison.Ordinal);
        Trusted = await UpstreamProvider.StartAsync(UpstreamClientId, UpstreamSecret, AnyHubCallback);
        Untrusted = await UpstreamProvider.StartAsync(UpstreamClientId, UpstreamSecret, AnyHubCallback);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Trusted.DisposeAsync();
        await Untrusted.DisposeAsync();
    }
}

/// <summary>Logon through an agency's own identity provider, end to end over real HTTP with redirects.</summary>
public sealed class FederationTests(FederationFixture fixture) : IClassFixture<FederationFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FederatedLogon_TrustedProvider_HubTokenCarriesMappedClaimsAndTheProvidersAgency()
    {
        fixture.Trusted.NextUser = [("sub", "deputy-17"), ("name", "Deputy Seventeen"), ("groups", "detectives"), ("groups", "intel")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid offline_access api");

        var loginPage = await browser.StartAsync(request, Ct);
        var callback = await browser.FollowAsync(ProviderLink(loginPage), IdentityApp.CliRedirectUri, Ct);
        var tokens = await browser.RedeemAsync(callback, request, clientSecret: null, Ct);

        var token = Jwt.Read(tokens.AccessToken);
        Assert.Equal(TestAgencies.CountySheriff, token.Value(HubClaimTypes.Agency));
        Assert.Equal([HubRoles.Officer, HubRoles.Analyst], token.Values(HubClaimTypes.Role));
        Assert.Equal("true", token.Value(HubClaimTypes.Leo));
        Assert.Equal("true", token.Value(HubClaimTypes.Cfr28));
        Assert.Equal(fixture.Trusted.Issuer.AbsoluteUri, token.Value(HubClaimTypes.IdentityProvider));
        Assert.Equal($"{TestAgencies.CountySheriff}:deputy-17", token.Subject);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon
            && a.Outcome == AuditOutcome.Success && a.Actor == $"{TestAgencies.CountySheriff}:deputy-17");
    }

    [Fact]
    public async Task FederatedLogon_AgencyDisabled_RefusedWithAPageThatSaysSoAndAudited()
    {
        fixture.Trusted.NextUser = [("sub", "deputy-disabled"), ("groups", "detectives")];
        await SetDisabledAsync(DateTimeOffset.UtcNow);
        try
        {
            using var browser = _identity.CreateBrowser();
            var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");

            var loginPage = await browser.StartAsync(request, Ct);
            var result = await browser.FollowAsync(ProviderLink(loginPage), IdentityApp.CliRedirectUri, Ct);

            Assert.False(result.IsCallback);
            Assert.Equal(HttpStatusCode.Forbidden, result.Status);
            Assert.Contains("is disabled in SharingHub: none of its people may sign in until it is enabled again.", result.Body, StringComparison.Ordinal);
            Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
                && a.Actor == $"{TestAgencies.CountySheriff}:deputy-disabled");
        }
        finally
        {
            await SetDisabledAsync(null);
        }
    }

    private Task<int> SetDisabledAsync(DateTimeOffset? at) => _identity.WithDatabaseAsync(db => db.Agencies
        .Where(a => a.Code == TestAgencies.CountySheriff)
        .ExecuteUpdateAsync(a => a.SetProperty(x => x.DisabledAt, at), Ct));

    [Fact]
    public async Task FederatedLogon_UpstreamSendsAnotherAgencyClaim_IsRefused()
    {
        fixture.Trusted.NextUser = [("sub", "deputy-forger"), ("groups", "detectives"), ("agency", TestAgencies.CityPolice)];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");

        var loginPage = await browser.StartAsync(request, Ct);
        var result = await browser.FollowAsync(ProviderLink(loginPage), IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback);
        Assert.Equal(HttpStatusCode.Forbidden, result.Status);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
            && a.Actor == $"{TestAgencies.CountySheriff}:deputy-forger"
            && a.Detail!.Contains($"asserted agency '{TestAgencies.CityPolice}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FederatedLogon_AuthorizationResponseFromUntrustedIssuer_IsRefused()
    {
        fixture.Untrusted.NextUser = [("sub", "impostor"), ("groups", "detectives")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");
        var loginPage = await browser.StartAsync(request, Ct);

        // The hub sends the browser to the trusted provider; a mix-up attacker sends it to its own server instead,
        // which answers the hub's callback with a code of its own.
        var toTrusted = await browser.FirstRedirectAsync(ProviderLink(loginPage), Ct);
        Assert.StartsWith(fixture.Trusted.Issuer.AbsoluteUri, toTrusted.AbsoluteUri, StringComparison.Ordinal);
        var toUntrusted = new Uri(fixture.Untrusted.Issuer, toTrusted.PathAndQuery);
        var result = await browser.FollowAsync(toUntrusted, IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback);
        Assert.Equal(HttpStatusCode.Forbidden, result.Status);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
            && a.Detail!.Contains("upstream logon rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FederatedLogon_AgencyWithoutRegisteredProvider_IsRefused()
    {
        using var client = _identity.CreateRawClient();

        using var response = await client.GetAsync(new Uri($"federation/login/{TestAgencies.CityPolice}?returnUrl=/", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
            && a.Detail!.Contains($"'{TestAgencies.CityPolice}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FederatedLogon_UserWithNoMappedRole_IsRefused()
    {
        fixture.Trusted.NextUser = [("sub", "clerk-3"), ("groups", "records-clerks")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");

        var loginPage = await browser.StartAsync(request, Ct);
        var result = await browser.FollowAsync(ProviderLink(loginPage), IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback, result.Url.ToString());
        Assert.True(HttpStatusCode.Forbidden == result.Status, result.Url + " " + result.Body);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.FederatedLogon && a.Outcome == AuditOutcome.Failure
            && a.Actor == $"{TestAgencies.CountySheriff}:clerk-3" && a.Detail!.Contains("no hub role", StringComparison.Ordinal));
    }

    /// <summary>The login page's link to the County Sheriff's provider, as a person would click it.</summary>
    internal static Uri ProviderLink(FlowStep loginPage)
    {
        Assert.False(loginPage.IsCallback);
        var marker = $"href=\"/federation/login/{TestAgencies.CountySheriff}?returnUrl=";
        var start = loginPage.Body!.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, "The login page lists the agency's provider.");
        var end = loginPage.Body.IndexOf('"', start + 6);
        var href = HttpUtility.HtmlDecode(loginPage.Body[(start + 6)..end]);
        return new Uri(loginPage.Url, href);
    }
}

/// <summary>
/// A federated user's roles are re-derived from the registration's current rules at refresh. A class (and fixture) of
/// its own: it starts a second Identity on the fixture's database.
/// </summary>
public sealed class FederationRefreshTests(FederationFixture fixture) : IClassFixture<FederationFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refresh_RegistrationNoLongerGrantsTheUsersRole_IsRefused()
    {
        fixture.Trusted.NextUser = [("sub", "deputy-23"), ("name", "Deputy Twenty-Three"), ("groups", "detectives")];
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid offline_access api");
        var loginPage = await browser.StartAsync(request, Ct);
        var callback = await browser.FollowAsync(FederationTests.ProviderLink(loginPage), IdentityApp.CliRedirectUri, Ct);
        var tokens = await browser.RedeemAsync(callback, request, clientSecret: null, Ct);
        Assert.Equal([HubRoles.Officer], Jwt.Read(tokens.AccessToken).Values(HubClaimTypes.Role));

        // The agency withdraws the rule that made "detectives" officers; Identity restarts with the new registration
        // (same database, keys and issuer). The refresh token still carries the claims of the logon.
        var changed = fixture.SettingsWith(
            ("Federation:Providers:0:Rules:0:Value", "detectives-retired"),
            ("Tokens:Issuer", _identity.BaseUri.AbsoluteUri));
        await using var restarted = new IdentityApp(fixture.Database.ConnectionString, fixture.StateDirectory, changed);
        await restarted.StartAsync(Ct);
        using var restartedBrowser = restarted.CreateBrowser();

        var refused = await Assert.ThrowsAsync<HeadlessLoginException>(
            () => restartedBrowser.TokenRequestAsync(LocalLogonTests.Refresh(tokens.RefreshToken!), Ct));

        Assert.Equal("invalid_grant", refused.Error);
        Assert.Contains("no hub role is mapped", refused.Message, StringComparison.Ordinal);
    }
}
