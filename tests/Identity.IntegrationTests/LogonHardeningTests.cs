using System.Diagnostics;
using System.Net;
using System.Web;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// What a stranger learns from, and can do with, the login form: nothing about whether an account exists or is
/// locked, no lockout of someone else's account, no redirect away from the hub, no PKCE "plain", no demo account
/// outside Development.
/// </summary>
public sealed class LogonHardeningTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitLogin_UnknownNameWrongPasswordLockedOrDemoAccount_GetTheSameAnswer()
    {
        var known = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var locked = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Analyst);
        await _identity.UpdateUserAsync(locked.UserName, u => u.LockoutEnd = DateTimeOffset.UtcNow.AddHours(1));
        var demo = await _identity.DemoUserAsync(TestAgencies.CityPolice, HubRoles.Supervisor);

        var unknown = await SubmitAsync("nobody-" + Guid.NewGuid().ToString("N"), "Some-Password-123", "123456");
        var wrongPassword = await SubmitAsync(known.UserName, "not-the-password", HeadlessLogin.TotpCode(known.TotpKey));
        var lockedRight = await SubmitAsync(locked.UserName, locked.Password, HeadlessLogin.TotpCode(locked.TotpKey));
        // Outside Development (these hosts run as "Testing") the checkout's published demo credentials open nothing.
        var demoRight = await SubmitAsync(demo, _identity.DemoPassword, HeadlessLogin.TotpCode(_identity.DemoTotpSecret));

        FlowStep[] answers = [unknown, wrongPassword, lockedRight, demoRight];
        Assert.All(answers, a => Assert.False(a.IsCallback));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.All(answers, a => Assert.Equal(AccountEndpoints.FailedMessage, HeadlessLogin.ErrorOf(a.Body)));
        var audit = await _identity.AuditAsync();
        Assert.Contains(audit, a => a.Actor == locked.UserName && a.Detail == "account locked");
        Assert.Contains(audit, a => a.Actor == demo && a.Detail == "demo account outside Development");
    }

    [Fact]
    public async Task SubmitLogin_StrangerWithWrongPasswords_CannotLockTheAccountOut()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Officer);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var failed = await SubmitAsync(account.UserName, $"guess-{attempt}", "000000");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.Status);
        }

        var owner = await SubmitAsync(account.UserName, account.Password, HeadlessLogin.TotpCode(account.TotpKey));

        Assert.True(owner.IsCallback, $"the owner was refused ({(int)owner.Status}): {HeadlessLogin.ErrorOf(owner.Body)}");
        var lockoutEnd = await _identity.WithDatabaseAsync(db => Task.FromResult(db.Users.Single(u => u.UserName == account.UserName).LockoutEnd));
        Assert.Null(lockoutEnd);
    }

    [Fact]
    public async Task SubmitLogin_UnknownNameOrLockedAccount_TakesAsLongAsAWrongPassword()
    {
        var known = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var locked = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        await _identity.UpdateUserAsync(locked.UserName, u => u.LockoutEnd = DateTimeOffset.UtcNow.AddHours(1));
        await SubmitAsync(known.UserName, "warm-up", "000000");

        // Interleaved, round by round, so that a burst of other work on the shared machine slows all three alike.
        var (wrongPassword, unknownName, lockedAccount) = await MediansAsync(
            () => SubmitAsync(known.UserName, "not-the-password", "000000"),
            () => SubmitAsync("nobody-" + Guid.NewGuid().ToString("N"), "not-the-password", "000000"),
            () => SubmitAsync(locked.UserName, "not-the-password", "000000"));

        // Each verifies one password hash (PBKDF2, tens of milliseconds); without it an answer would take a few
        // milliseconds. The margin is wide because the machine is shared.
        Assert.True(unknownName >= wrongPassword * 0.4, $"unknown name {unknownName.TotalMilliseconds} ms, wrong password {wrongPassword.TotalMilliseconds} ms");
        Assert.True(lockedAccount >= wrongPassword * 0.4, $"locked account {lockedAccount.TotalMilliseconds} ms, wrong password {wrongPassword.TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData("/\t/evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task SubmitLogin_ReturnUrlLeavingTheHub_IsNotFollowed(string returnUrl)
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = _identity.BaseUri,
        };
        var page = await client.GetStringAsync(new Uri("account/login", UriKind.Relative), Ct);
        var fields = HeadlessLogin.HiddenFields(page);
        fields[LoginPage.ReturnUrlField] = returnUrl;
        fields["username"] = account.UserName;
        fields["password"] = account.Password;
        fields["code"] = HeadlessLogin.TotpCode(account.TotpKey);

        using var response = await client.PostAsync(new Uri("account/login", UriKind.Relative), new FormUrlEncodedContent(fields), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("You are signed in", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_PlainCodeChallenge_IsRefused()
    {
        using var client = _identity.CreateRawClient();
        var query = HttpUtility.ParseQueryString("");
        query["client_id"] = IdentityApp.CliClient;
        query["redirect_uri"] = IdentityApp.CliRedirectUri.AbsoluteUri;
        query["response_type"] = "code";
        query["scope"] = "openid api";
        query["state"] = "s1";
        query["code_challenge"] = new string('a', 43);

        query["code_challenge_method"] = "plain";
        using var plain = await client.GetAsync(new Uri("connect/authorize?" + query, UriKind.Relative), Ct);
        query["code_challenge_method"] = "S256";
        using var s256 = await client.GetAsync(new Uri("connect/authorize?" + query, UriKind.Relative), Ct);

        // Refused with invalid_request, no login page and no code; the same request with S256 goes on to the login page.
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Null(plain.Headers.Location);
        Assert.Contains("invalid_request", await plain.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, s256.StatusCode);
        Assert.StartsWith(AccountEndpoints.LoginPath, s256.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private async Task<FlowStep> SubmitAsync(string userName, string password, string code)
    {
        using var browser = _identity.CreateBrowser();
        var page = await browser.StartAsync(AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api"), Ct);
        return await browser.SubmitLoginAsync(page, userName, password, code, IdentityApp.CliRedirectUri, Ct);
    }

    // The median time of each attempt over seven rounds of one attempt of each kind.
    private static async Task<(TimeSpan, TimeSpan, TimeSpan)> MediansAsync(params Func<Task<FlowStep>>[] attempts)
    {
        var times = attempts.Select(_ => new List<TimeSpan>()).ToArray();
        for (var round = 0; round < 7; round++)
        {
            for (var kind = 0; kind < attempts.Length; kind++)
            {
                var started = Stopwatch.GetTimestamp();
                await attempts[kind]();
                times[kind].Add(Stopwatch.GetElapsedTime(started));
            }
        }
        var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
        return (medians[0], medians[1], medians[2]);
    }
}

/// <summary>An Identity that allows three logon attempts per source address and hour.</summary>
public sealed class LogonThrottleFixture : IdentityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Accounts:LogonAttemptsPerAddress"] = "3",
        ["Accounts:LogonWindowSeconds"] = "3600",
    };
}

/// <summary>Password guessing is slowed down per source address, not by locking the account.</summary>
public sealed class LogonThrottleTests(LogonThrottleFixture fixture) : IClassFixture<LogonThrottleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitLogin_MoreAttemptsThanTheLimitFromOneAddress_AreRefusedWith429AndAudited()
    {
        var account = await fixture.App.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            statuses.Add(await PostLoginAsync(account.UserName, forwardedFor: "198.51.100.7"));
        }
        // Another client behind the same trusted proxy (loopback) is counted on its own.
        var otherAddress = await PostLoginAsync(account.UserName, forwardedFor: "198.51.100.8");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress);
        Assert.Contains(await fixture.App.AuditAsync(), a => a.Event == AuditEvents.LocalLogon && a.Outcome == AuditOutcome.Failure
            && a.SourceAddress == "198.51.100.7" && a.Detail!.StartsWith("throttled", StringComparison.Ordinal));
    }

    private async Task<HttpStatusCode> PostLoginAsync(string userName, string forwardedFor)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = fixture.App.BaseUri,
        };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var fields = HeadlessLogin.HiddenFields(await client.GetStringAsync(new Uri("account/login", UriKind.Relative), Ct));
        fields["username"] = userName;
        fields["password"] = "not-the-password";
        fields["code"] = "000000";
        using var response = await client.PostAsync(new Uri("account/login", UriKind.Relative), new FormUrlEncodedContent(fields), Ct);
        return response.StatusCode;
    }
}
