using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Keys;
using SharingHub.Identity.Seeding;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// Identity on a real port, with a key set that was rotated once (an older and a newer signing key), and Gateway
/// validating tokens locally against it.
/// </summary>
public sealed class GatewayFixture : IdentityFixture
{
    public CapturingLoggerProvider GatewayLogs { get; } = new();

    public WebApplicationFactory<SharingHub.Gateway.Program> Gateway { get; private set; } = null!;

    public X509Certificate2 OlderSigningKey { get; private set; } = null!;

    public X509Certificate2 NewerSigningKey { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var keys = KeySetFile.Create(now.AddDays(-30), TimeSpan.FromDays(90), IdentityApp.KeyPassphrase);
        keys.Rotate(now.AddMinutes(-5), TimeSpan.FromDays(90), TimeSpan.Zero, TimeSpan.FromDays(2), IdentityApp.KeyPassphrase);
        keys.Save(Path.Combine(StateDirectory, "keys.json"));
        var signing = keys.Keys.Where(k => k.Use == KeyUse.Signing).OrderBy(k => k.NotAfter).ToList();
        OlderSigningKey = signing[0].LoadCertificate(IdentityApp.KeyPassphrase);
        NewerSigningKey = signing[1].LoadCertificate(IdentityApp.KeyPassphrase);

        await base.InitializeAsync();
        // The Gateway's own database: every hub-user check reads its agency directory (a disabled agency is refused).
        _hubDatabase = await TestDatabase.CreateAsync(TestInfrastructure.Current);
        var gateway = new GatewayApp(_hubDatabase.ConnectionString, "amqp://unused:unused@127.0.0.1:1/",
            new Dictionary<string, string?> { ["Authentication:Authority"] = App.BaseUri.AbsoluteUri });
        // Development: the authority is this test's Identity over plain HTTP on loopback, which only Development
        // accepts (and Development is where unreadable input used to come back as a stack trace).
        Gateway = gateway.WithWebHostBuilder(b => b.UseEnvironment("Development").ConfigureLogging(l => l.AddProvider(GatewayLogs)));
        await using var scope = Gateway.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SharingHub.Gateway.Data.HubDbContext>().ApplyMigrationsAsync(CancellationToken.None);
    }

    private TestDatabase? _hubDatabase;

    public override async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (_hubDatabase is not null)
        {
            await _hubDatabase.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

/// <summary>Gateway accepts Identity's tokens and rejects expired, misdirected, foreign-signed and unsigned ones.</summary>
public sealed class GatewayValidationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string ConnectorId = Seeder.DemoConnectorId(TestAgencies.CityPolice);

    [Fact]
    public async Task Me_TokenIssuedByIdentity_ReturnsTheHubPrincipal()
    {
        var token = await IssuedTokenAsync();

        var (status, body) = await GetMeAsync(token);

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(TestAgencies.CityPolice, json.RootElement.GetProperty("agency").GetString());
        Assert.Equal([HubRoles.Connector], json.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(ConnectorId, json.RootElement.GetProperty("subject").GetString());
        Assert.Contains(await fixture.App.AuditAsync(), a => a.Event == AuditEvents.TokenIssued && a.ClientId == ConnectorId);
    }

    [Fact]
    public async Task Me_WithoutToken_IsUnauthorized()
    {
        var (status, _) = await GetMeAsync(null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task FallbackPolicy_EndpointNamingNoPolicy_DeniesAnyoneButAHubUser()
    {
        var services = fixture.Gateway.Services;
        var fallback = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        Assert.NotNull(fallback);

        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());
        var noAgency = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s")], "Bearer"));
        var hubUser = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "s"), new Claim(HubClaimTypes.Agency, TestAgencies.CityPolice)], "Bearer"));

        Assert.False((await authorization.AuthorizeAsync(anonymous, fallback)).Succeeded);
        Assert.False((await authorization.AuthorizeAsync(noAgency, fallback)).Succeeded);
        Assert.True((await authorization.AuthorizeAsync(hubUser, fallback)).Succeeded);
    }

    [Fact]
    public async Task HealthProbes_WithoutToken_AreOpen()
    {
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Me_ExpiredToken_IsRejected()
    {
        var now = DateTime.UtcNow;
        var token = Mint(fixture.NewerSigningKey, HubTokenAudience, issuedAt: now.AddHours(-2), expires: now.AddHours(-1));

        await AssertRejectedAsync(token);
    }

    [Fact]
    public async Task Me_TokenForAnotherAudience_IsRejected()
    {
        var token = Mint(fixture.NewerSigningKey, "some-other-api", DateTime.UtcNow, DateTime.UtcNow.AddMinutes(10));

        await AssertRejectedAsync(token);
    }

    [Fact]
    public async Task Me_TokenSignedByAnotherKey_IsRejected()
    {
        using var rsa = RSA.Create(2048);
        var foreign = new RsaSecurityKey(rsa) { KeyId = "foreign-key" };
        var token = Mint(foreign, HubTokenAudience, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(10));

        await AssertRejectedAsync(token);
    }

    [Fact]
    public async Task Me_UnsignedAlgNoneToken_IsRejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"none","typ":"at+jwt"}""");
        var payload = Base64Url(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = fixture.App.BaseUri.AbsoluteUri, ["aud"] = HubTokenAudience, ["sub"] = "attacker",
            ["agency"] = TestAgencies.CityPolice, ["role"] = HubRoles.Supervisor, ["iat"] = now, ["exp"] = now + 600,
        }));

        await AssertRejectedAsync($"{header}.{payload}.");
    }

    [Fact]
    public async Task Me_TokenSignedByTheOlderStillPublishedKey_IsAccepted()
    {
        var token = Mint(fixture.OlderSigningKey, HubTokenAudience, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(10));

        var (status, _) = await GetMeAsync(token);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Token_AfterRotation_IsSignedByTheNewestKeyAndTheJwksPublishesBoth()
    {
        var token = Jwt.Read(await IssuedTokenAsync());
        using var client = fixture.App.CreateRawClient();
        using var jwks = JsonDocument.Parse(await client.GetStringAsync(new Uri(".well-known/jwks", UriKind.Relative), Ct));
        var published = jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();

        Assert.Equal(new X509SecurityKey(fixture.NewerSigningKey).KeyId, token.Kid);
        Assert.Contains(new X509SecurityKey(fixture.OlderSigningKey).KeyId, published);
        Assert.Contains(new X509SecurityKey(fixture.NewerSigningKey).KeyId, published);
    }

    // adjudicateMatch replaced the REST adjudication endpoint: its malformed bodies are now GraphQL requests'.
    [Theory]
    [InlineData("{\"query\": ")]
    [InlineData("{\"query\": \"mutation { adjudicateMatch(input: { matchId: 1, verdict: SAME }) { match { id } } }\", \"variables\": [}")]
    [InlineData("{\"query\": 12, \"variables\": {\"input\": {\"verdict\": \"SAME\"}}}")]
    [InlineData("not json at all")]
    public async Task GraphQL_MalformedBody_IsA400GraphQLErrorWithATraceIdAndNoStackTrace(string body)
    {
        var token = await IssuedTokenAsync();
        using var client = fixture.Gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/graphql", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var answer = JsonDocument.Parse(text);
        var error = Assert.Single(answer.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("BAD_REQUEST", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("extensions").GetProperty("traceId").GetString()), text);
        Assert.False(answer.RootElement.TryGetProperty("data", out _), text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1000, $"{text.Length} characters: {text}");
    }

    [Fact]
    public async Task Adjudications_RestEndpoint_IsGoneForAdjudicateMatch()
    {
        var token = await IssuedTokenAsync();
        using var client = fixture.Gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/matches/1/adjudications", UriKind.Relative))
        {
            Content = new StringContent("{\"decision\":\"Same\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private const string HubTokenAudience = "sharinghub-api";

    private async Task AssertRejectedAsync(string token)
    {
        var before = fixture.GatewayLogs.Entries.Count(e => e.Event.Id == 4010);

        var (status, _) = await GetMeAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        // Gateway records each rejected token (identifiers and reason, never the token).
        Assert.True(fixture.GatewayLogs.Entries.Count(e => e.Event.Id == 4010) > before);
        Assert.DoesNotContain(fixture.GatewayLogs.Entries, e => e.Message.Contains(token, StringComparison.Ordinal));
    }

    private async Task<string> IssuedTokenAsync()
    {
        var (status, body) = await fixture.App.ClientCredentialsAsync(ConnectorId, fixture.App.ClientSecret(ConnectorId));
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("access_token").GetString()!;
    }

    private async Task<(HttpStatusCode, string)> GetMeAsync(string? token)
    {
        using var client = fixture.Gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/me", UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A token shaped exactly like Identity's (issuer, type, claims), with what the test chooses changed.</summary>
    private string Mint(X509Certificate2 key, string audience, DateTime issuedAt, DateTime expires) =>
        Mint(new X509SecurityKey(key), audience, issuedAt, expires);

    private string Mint(SecurityKey key, string audience, DateTime issuedAt, DateTime expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = fixture.App.BaseUri.AbsoluteUri,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", "minted-subject"), new Claim("agency", TestAgencies.CityPolice),
                new Claim("role", HubRoles.Officer), new Claim("client_id", IdentityApp.CliClient),
            ]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
