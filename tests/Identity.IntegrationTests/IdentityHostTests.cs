using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Keys;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// Identity's own host: it refuses to start on a missing production key file or an invalid setting, naming the
/// key, and its readiness follows its database while liveness does not.
/// </summary>
public sealed class IdentityHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_KeyFileMissingAndNotToBeCreated_StopsNamingTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync(TestInfrastructure.Current, Ct);
        var state = Directory.CreateTempSubdirectory("sharinghub-identity-").FullName;
        try
        {
            // Production's setting: a key file is mounted, never generated.
            await using var identity = new IdentityApp(database.ConnectionString, state,
                new Dictionary<string, string?> { ["Keys:CreateIfMissing"] = "false" });

            var error = await Assert.ThrowsAnyAsync<Exception>(() => identity.StartAsync(Ct));

            var validation = Assert.IsType<OptionsValidationException>(Innermost<OptionsValidationException>(error));
            Assert.Contains($"Keys:File: the key file '{identity.KeyFile}' does not exist", validation.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(identity.KeyFile));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Theory]
    [InlineData("Keys:LifetimeDays", "0", "LifetimeDays")]
    [InlineData("Keys:PrepublishDays", "400", "PrepublishDays")]
    public async Task Start_InvalidSetting_StopsNamingTheKey(string key, string value, string named)
    {
        await using var database = await TestDatabase.CreateAsync(TestInfrastructure.Current, Ct);
        var state = Directory.CreateTempSubdirectory("sharinghub-identity-").FullName;
        try
        {
            await using var identity = new IdentityApp(database.ConnectionString, state, new Dictionary<string, string?> { [key] = value });

            var error = await Assert.ThrowsAnyAsync<Exception>(() => identity.StartAsync(Ct));

            var validation = Assert.IsType<OptionsValidationException>(Innermost<OptionsValidationException>(error));
            Assert.Contains(named, validation.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Ready_DatabaseGoesAway_Returns503NamingItWhileLiveStays200()
    {
        await using var database = await TestDatabase.CreateAsync(TestInfrastructure.Current, Ct);
        var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        proxy.Start();
        var proxied = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = proxy.Port };
        var state = Directory.CreateTempSubdirectory("sharinghub-identity-").FullName;
        try
        {
            await using var identity = new IdentityApp(proxied.ConnectionString, state);
            await identity.StartAsync(Ct);
            using var client = identity.CreateRawClient();

            var (_, ready) = await WaitForReadyAsync(client, HttpStatusCode.OK);
            Assert.Contains("\"postgres-identitydb\":{\"status\":\"Healthy\"", ready, StringComparison.Ordinal);

            await proxy.StopAsync();
            var (_, down) = await WaitForReadyAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("\"postgres-identitydb\":{\"status\":\"Unhealthy\"", down, StringComparison.Ordinal);
            using (var live = await client.GetAsync(new Uri("health/live", UriKind.Relative), Ct))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            proxy.Start();
            await WaitForReadyAsync(client, HttpStatusCode.OK);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static Task<(HttpStatusCode Status, string Body)> WaitForReadyAsync(HttpClient client, HttpStatusCode expected) =>
        Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(new Uri("health/ready", UriKind.Relative), Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }, answer => answer.StatusCode == expected, $"Identity's /health/ready to answer {(int)expected}", cancellationToken: Ct);

    private static Exception Innermost<T>(Exception error)
        where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T)
            {
                return e;
            }
        }
        return error;
    }
}

/// <summary>An Identity whose key set holds the current key and a newer one that is published but not yet valid.</summary>
public sealed class PrepublishedKeyFixture : IdentityFixture
{
    public string CurrentSigningKeyId { get; private set; } = "";

    public string UpcomingSigningKeyId { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var keys = KeySetFile.Create(now.AddDays(-30), TimeSpan.FromDays(90), IdentityApp.KeyPassphrase);
        keys.Rotate(now, TimeSpan.FromDays(90), prepublish: TimeSpan.FromDays(2), retainExpired: TimeSpan.FromDays(2), IdentityApp.KeyPassphrase);
        keys.Save(Path.Combine(StateDirectory, "keys.json"));
        var signing = keys.Keys.Where(k => k.Use == KeyUse.Signing).OrderBy(k => k.NotBefore).ToList();
        CurrentSigningKeyId = new Microsoft.IdentityModel.Tokens.X509SecurityKey(signing[0].LoadCertificate(IdentityApp.KeyPassphrase)).KeyId;
        UpcomingSigningKeyId = new Microsoft.IdentityModel.Tokens.X509SecurityKey(signing[1].LoadCertificate(IdentityApp.KeyPassphrase)).KeyId;
        await base.InitializeAsync();
    }
}

/// <summary>A rotated-in key that is not valid yet is published, so caches have it, but nothing is signed with it.</summary>
public sealed class PrepublishedKeyTests(PrepublishedKeyFixture fixture) : IClassFixture<PrepublishedKeyFixture>
{
    [Fact]
    public async Task Token_KeyPublishedButNotYetValid_JwksHasBothAndTokensAreSignedByTheCurrentKey()
    {
        var connector = Seeding.Seeder.DemoConnectorId(TestAgencies.CityPolice);
        var (status, body) = await fixture.App.ClientCredentialsAsync(connector, fixture.App.ClientSecret(connector));
        using var client = fixture.App.CreateRawClient();
        using var jwks = JsonDocument.Parse(await client.GetStringAsync(new Uri(".well-known/jwks", UriKind.Relative), TestContext.Current.CancellationToken));
        var published = jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(fixture.CurrentSigningKeyId, Jwt.Read(body.GetProperty("access_token").GetString()!).Kid);
        Assert.Contains(fixture.CurrentSigningKeyId, published);
        Assert.Contains(fixture.UpcomingSigningKeyId, published);
    }
}
