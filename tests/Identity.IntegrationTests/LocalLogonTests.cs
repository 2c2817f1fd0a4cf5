using System.Net;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>Local accounts: password plus TOTP (CJIS MFA), lockout, code + PKCE, refresh rotation.</summary>
public sealed class LocalLogonTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_PasswordAndTotp_IssuesAccessTokenWithAgencyRolesAndAttributes()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var userName = account.UserName;
        using var browser = _identity.CreateBrowser();

        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            userName, account.Password, account.TotpKey, Ct);

        var token = Jwt.Read(tokens.AccessToken);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(["sharinghub-api"], token.Audiences);
        Assert.Equal(TestAgencies.CityPolice, token.Value(HubClaimTypes.Agency));
        Assert.Equal([HubRoles.Officer], token.Values(HubClaimTypes.Role));
        Assert.Equal("true", token.Value(HubClaimTypes.Leo));
        Assert.Equal("true", token.Value(HubClaimTypes.Cfr28));
        Assert.Equal("local", token.Value(HubClaimTypes.IdentityProvider));
        var audit = await _identity.AuditAsync();
        Assert.Contains(audit, a => a.Event == AuditEvents.LocalLogon && a.Outcome == AuditOutcome.Success && a.Actor == userName
            && a.SourceAddress is not null);
        Assert.Contains(audit, a => a.Event == AuditEvents.TokenIssued && a.ClientId == IdentityApp.CliClient
            && a.Detail!.Contains("grant=authorization_code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitLogin_CorrectPasswordWithoutTotp_IsRefused()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Analyst);
        var userName = account.UserName;
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");
        var page = await browser.StartAsync(request, Ct);

        var result = await browser.SubmitLoginAsync(page, userName, account.Password, code: null, IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback);
        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.LocalLogon
            && a.Outcome == AuditOutcome.Failure && a.Actor == userName && a.Detail == "one-time code missing");
    }

    [Fact]
    public async Task SubmitLogin_CorrectPasswordWrongTotp_IsRefused()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Supervisor);
        var userName = account.UserName;
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");
        var page = await browser.StartAsync(request, Ct);

        var result = await browser.SubmitLoginAsync(page, userName, account.Password, WrongCode(account.TotpKey), IdentityApp.CliRedirectUri, Ct);

        Assert.False(result.IsCallback);
        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.LocalLogon
            && a.Outcome == AuditOutcome.Failure && a.Actor == userName && a.Detail == "wrong one-time code");
    }

    [Fact]
    public async Task SubmitLogin_FiveWrongCodesWithTheRightPassword_LocksAccountForAtLeastTenMinutes()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Analyst);
        var userName = account.UserName;
        using var browser = _identity.CreateBrowser();
        var request = AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api");
        var page = await browser.StartAsync(request, Ct);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var failed = await browser.SubmitLoginAsync(page, userName, account.Password, WrongCode(account.TotpKey),
                IdentityApp.CliRedirectUri, Ct);
            statuses.Add(failed.Status);
        }
        var withRightCredentials = await browser.SubmitLoginAsync(page, userName, account.Password,
            HeadlessLogin.TotpCode(account.TotpKey), IdentityApp.CliRedirectUri, Ct);

        // The locked account gets the same answer as every other failure.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.False(withRightCredentials.IsCallback);
        Assert.Equal(HttpStatusCode.Unauthorized, withRightCredentials.Status);
        var lockoutEnd = await _identity.WithDatabaseAsync(db => Task.FromResult(db.Users.Single(u => u.UserName == userName).LockoutEnd));
        Assert.NotNull(lockoutEnd);
        Assert.True(lockoutEnd >= DateTimeOffset.UtcNow.AddMinutes(10) - TimeSpan.FromSeconds(30), $"locked until {lockoutEnd:O}");
        var audit = await _identity.AuditAsync();
        Assert.Contains(audit, a => a.Event == AuditEvents.Lockout && a.Actor == userName);
        Assert.Contains(audit, a => a.Event == AuditEvents.LocalLogon && a.Actor == userName && a.Detail == "account locked");
    }

    [Fact]
    public async Task LoginPage_Always_ShowsCjisSystemUseNotice()
    {
        using var client = _identity.CreateRawClient();

        var html = await client.GetStringAsync(new Uri("account/login", UriKind.Relative), Ct);

        Assert.Contains("id=\"system-use-notice\"", html, StringComparison.Ordinal);
        Assert.Contains("monitored, recorded, and subject to audit", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_UsedRefreshToken_IsRotatedAndTheOldOneRefused()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Supervisor);
        using var browser = _identity.CreateBrowser();
        var first = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        Assert.NotNull(first.RefreshToken);

        var second = await browser.TokenRequestAsync(Refresh(first.RefreshToken!), Ct);
        var replay = await Assert.ThrowsAsync<HeadlessLoginException>(() => browser.TokenRequestAsync(Refresh(first.RefreshToken!), Ct));

        Assert.NotNull(second.RefreshToken);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(TestAgencies.CountySheriff, Jwt.Read(second.AccessToken).Value(HubClaimTypes.Agency));
        Assert.Equal("invalid_grant", replay.Error);
        var audit = await _identity.AuditAsync();
        Assert.True(audit.Exists(a => a.Event == AuditEvents.TokenRefused && a.ClientId == IdentityApp.CliClient
                && a.Detail!.Contains("grant=refresh_token error=invalid_grant", StringComparison.Ordinal)),
            string.Join("\n", audit.Where(a => a.Event.StartsWith("token", StringComparison.Ordinal)).Select(a => $"{a.Event} {a.ClientId} {a.Actor} {a.Detail}")));
    }

    /// <summary>A six-digit code that is not the current one (nor a neighbouring step's, with overwhelming odds).</summary>
    internal static string WrongCode(string totpKey)
    {
        var right = HeadlessLogin.TotpCode(totpKey);
        return ((int.Parse(right, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000)
            .ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static Dictionary<string, string> Refresh(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = IdentityApp.CliClient,
    };
}
