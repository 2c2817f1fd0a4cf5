using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// ADR-003: refresh tokens rotate with no reuse leeway, and a replayed one revokes the whole authorization, so a
/// stolen token is worth nothing to the thief and tells the hub to cut the legitimate holder off as well.
/// </summary>
public sealed class RefreshTokenReplayTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refresh_ReplayOfARotatedToken_RevokesTheWholeAuthorizationSoTheNewestTokenIsRefusedToo()
    {
        // A real local account: demo accounts log in only in Development.
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Analyst);
        using var browser = _identity.CreateBrowser();
        var first = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        var second = await browser.TokenRequestAsync(Refresh(first.RefreshToken!), Ct);
        Assert.NotNull(second.RefreshToken);

        // Someone replays the first refresh token; then the rightful holder uses the one it got in exchange.
        var replay = await Assert.ThrowsAsync<HeadlessLoginException>(() => browser.TokenRequestAsync(Refresh(first.RefreshToken!), Ct));
        var holder = await Assert.ThrowsAsync<HeadlessLoginException>(() => browser.TokenRequestAsync(Refresh(second.RefreshToken!), Ct));

        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal("invalid_grant", holder.Error);
    }

    [Fact]
    public async Task Refresh_RotatedTokenUsedInTurn_KeepsWorking()
    {
        // A real local account: demo accounts log in only in Development.
        var account = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        using var browser = _identity.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);

        for (var i = 0; i < 3; i++)
        {
            tokens = await browser.TokenRequestAsync(Refresh(tokens.RefreshToken!), Ct);
        }

        Assert.Equal(TestAgencies.CityPolice, Jwt.Read(tokens.AccessToken).Value(HubClaimTypes.Agency));
    }

    private static Dictionary<string, string> Refresh(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = IdentityApp.CliClient,
    };
}
