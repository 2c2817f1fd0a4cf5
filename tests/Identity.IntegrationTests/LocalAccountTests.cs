using System.Net;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// Local accounts an administrator creates (<c>./hub identity user add|reset</c>): they log in with the credentials
/// issued once, each one-time code is spent on use, and a reset replaces both factors and lifts a lockout.
/// </summary>
public sealed class LocalAccountTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_AccountCreatedByAnAdministrator_TokenCarriesItsAgencyAndRoles()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Analyst);
        using var browser = _identity.CreateBrowser();

        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, Ct);

        var token = Jwt.Read(tokens.AccessToken);
        Assert.Equal(TestAgencies.CityPolice, token.Value(HubClaimTypes.Agency));
        Assert.Equal([HubRoles.Analyst], token.Values(HubClaimTypes.Role));
        Assert.StartsWith("otpauth://totp/SharingHub:", account.TotpEnrolmentUri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.UserCreated && a.Actor == "test"
            && a.Detail!.Contains($"user={account.UserName} agency={TestAgencies.CityPolice}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitLogin_OneTimeCodeUsedTwice_SecondLogonRefusedAndALaterCodeAccepted()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var code = TotpCode.Compute(account.TotpKey, DateTimeOffset.UtcNow);

        var first = await SubmitAsync(account.UserName, account.Password, code);
        var replayed = await SubmitAsync(account.UserName, account.Password, code);
        var nextStep = await SubmitAsync(account.UserName, account.Password, TotpCode.Compute(account.TotpKey, DateTimeOffset.UtcNow, 1));

        Assert.True(first.IsCallback);
        Assert.False(replayed.IsCallback);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.Status);
        Assert.True(nextStep.IsCallback);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.LocalLogon && a.Actor == account.UserName
            && a.Outcome == AuditOutcome.Failure && a.Detail == "one-time code already used");
    }

    [Fact]
    public async Task SubmitLogin_OneCodeInTwoConcurrentLogons_OnlyOneSucceeds()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Officer);
        var code = TotpCode.Compute(account.TotpKey, DateTimeOffset.UtcNow);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SubmitAsync(account.UserName, account.Password, code)));

        Assert.Equal(1, results.Count(r => r.IsCallback));
    }

    [Fact]
    public async Task ResetCredentials_LockedOutAccount_OldCredentialsRefusedNewOnesLogIn()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Supervisor);
        // Only failures with the right password lock an account (a stranger's wrong passwords do not).
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await SubmitAsync(account.UserName, account.Password, LocalLogonTests.WrongCode(account.TotpKey));
        }
        var lockedOut = await SubmitAsync(account.UserName, account.Password, TotpCode.Compute(account.TotpKey, DateTimeOffset.UtcNow));

        var reset = await _identity.ResetLocalAccountAsync(account.UserName);
        var oldCredentials = await SubmitAsync(account.UserName, account.Password, TotpCode.Compute(account.TotpKey, DateTimeOffset.UtcNow));
        var newCredentials = await SubmitAsync(account.UserName, reset.Password, TotpCode.Compute(reset.TotpKey, DateTimeOffset.UtcNow));

        Assert.False(lockedOut.IsCallback);
        Assert.Equal(HttpStatusCode.Unauthorized, lockedOut.Status);
        Assert.NotEqual(account.Password, reset.Password);
        Assert.NotEqual(account.TotpKey, reset.TotpKey);
        Assert.False(oldCredentials.IsCallback);
        Assert.True(newCredentials.IsCallback);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.UserUpdated && a.Actor == "test"
            && a.Detail == $"user={account.UserName} credentials reset, lockout lifted");
    }

    /// <summary>One logon in a fresh browser (no session cookie): the login form's answer.</summary>
    private async Task<FlowStep> SubmitAsync(string userName, string password, string code)
    {
        using var browser = _identity.CreateBrowser();
        var page = await browser.StartAsync(AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api"), Ct);
        return await browser.SubmitLoginAsync(page, userName, password, code, IdentityApp.CliRedirectUri, Ct);
    }
}
