using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// A session cookie or refresh token names a subject; what that subject may do is read again from its account at
/// authorization and at every refresh.
/// </summary>
public sealed class SessionRederivationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Authorize_AccountLockedSinceSignIn_AsksToSignInAgain()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        using var browser = _identity.CreateBrowser();
        await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, Ct);
        await _identity.UpdateUserAsync(account.UserName, u => u.LockoutEnd = DateTimeOffset.MaxValue);

        // The browser still holds a valid session cookie.
        var again = await browser.StartAsync(AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api"), Ct);

        Assert.False(again.IsCallback, "a code was issued to a locked account's session");
        Assert.Contains("/account/login", again.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains(await _identity.AuditAsync(), a => a.Actor != null && a.Detail != null
            && a.Detail.StartsWith("session refused at authorization: the account is locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_AccountWithoutRoles_IsRefused()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Analyst);
        using var browser = _identity.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        await _identity.UpdateUserAsync(account.UserName, u => u.Roles = []);

        var refused = await Assert.ThrowsAsync<HeadlessLoginException>(
            () => browser.TokenRequestAsync(LocalLogonTests.Refresh(tokens.RefreshToken!), Ct));

        Assert.Equal("invalid_grant", refused.Error);
    }

    [Fact]
    public async Task Refresh_AccountLocked_IsRefused()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Officer);
        using var browser = _identity.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        await _identity.UpdateUserAsync(account.UserName, u => u.LockoutEnd = DateTimeOffset.MaxValue);

        var refused = await Assert.ThrowsAsync<HeadlessLoginException>(
            () => browser.TokenRequestAsync(LocalLogonTests.Refresh(tokens.RefreshToken!), Ct));

        Assert.Equal("invalid_grant", refused.Error);
    }

    [Fact]
    public async Task Refresh_AccountRolesChanged_TokenCarriesTheAccountsRoles()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Supervisor);
        using var browser = _identity.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        await _identity.UpdateUserAsync(account.UserName, u => { u.Roles = [HubRoles.Analyst]; u.Leo = false; });

        var refreshed = await browser.TokenRequestAsync(LocalLogonTests.Refresh(tokens.RefreshToken!), Ct);

        Assert.Equal([HubRoles.Supervisor], Jwt.Read(tokens.AccessToken).Values(HubClaimTypes.Role));
        Assert.Equal([HubRoles.Analyst], Jwt.Read(refreshed.AccessToken).Values(HubClaimTypes.Role));
        Assert.Equal("false", Jwt.Read(refreshed.AccessToken).Value(HubClaimTypes.Leo));
    }
}
