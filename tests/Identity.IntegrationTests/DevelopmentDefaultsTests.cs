using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// Development defaults cannot reach production: a Development host listens on loopback only, Gateway outside
/// Development trusts only an https:// authority, and forwarded headers count only from trusted proxies.
/// </summary>
public sealed class DevelopmentDefaultsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartIdentity_DevelopmentOnAllInterfaces_Refuses()
    {
        await using var database = await TestDatabase.CreateAsync(TestInfrastructure.Current, Ct);
        var state = Directory.CreateTempSubdirectory("sharinghub-identity-");
        try
        {
            await using var identity = new IdentityApp(database.ConnectionString, state.FullName,
                new Dictionary<string, string?> { ["Kestrel:Endpoints:Http:Url"] = $"http://0.0.0.0:{IdentityApp.FreePort()}" }, "Development");

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => identity.StartAsync(Ct));

            Assert.Contains("loopback only", refused.Message, StringComparison.Ordinal);
            Assert.Contains("0.0.0.0", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    [Fact]
    public void StartGateway_DevelopmentOnAllInterfaces_Refuses()
    {
        using var gateway = new GatewayApp("Host=127.0.0.1;Database=unused", "amqp://unused:unused@127.0.0.1:1/",
                new Dictionary<string, string?> { ["urls"] = $"http://[::]:{IdentityApp.FreePort()}" })
            .WithWebHostBuilder(b => b.UseEnvironment("Development"));
        gateway.UseKestrel();

        var refused = Assert.Throws<InvalidOperationException>(() => gateway.StartServer());

        Assert.Contains("loopback only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartGateway_OutsideDevelopmentWithAPlainHttpAuthority_Refuses()
    {
        using var gateway = new GatewayApp("Host=127.0.0.1;Database=unused", "amqp://unused:unused@127.0.0.1:1/",
            new Dictionary<string, string?> { ["Authentication:Authority"] = "http://identity.example/" });

        var refused = Assert.Throws<OptionsValidationException>(() => gateway.Services);

        Assert.Contains("Authentication:Authority must be an https:// URI outside Development", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_BehindTheTrustedProxy_HonoursItsForwardedScheme()
    {
        await using var fixture = new ProxiedIdentity(knownProxy: null);
        await fixture.InitializeAsync();

        var issuer = await IssuerSeenThroughAsync(fixture.App, forwardedProto: "https");

        Assert.Equal($"https://127.0.0.1:{fixture.App.Port}/", issuer);
    }

    [Fact]
    public async Task Discovery_FromAPeerThatIsNotATrustedProxy_IgnoresForwardedHeaders()
    {
        // Only 192.0.2.10 is a trusted proxy; the test calls from loopback, as any other client would.
        await using var fixture = new ProxiedIdentity(knownProxy: "192.0.2.10");
        await fixture.InitializeAsync();

        var issuer = await IssuerSeenThroughAsync(fixture.App, forwardedProto: "https");

        Assert.Equal($"http://127.0.0.1:{fixture.App.Port}/", issuer);
    }

    private static async Task<string?> IssuerSeenThroughAsync(IdentityApp identity, string forwardedProto)
    {
        using var client = identity.CreateRawClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", forwardedProto);
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative), Ct));
        return document.RootElement.GetProperty("issuer").GetString();
    }

    /// <summary>An Identity whose trusted proxies are the default (loopback) or one configured address.</summary>
    private sealed class ProxiedIdentity(string? knownProxy) : IdentityFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => knownProxy is null
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = knownProxy };
    }
}

/// <summary>Each host connects as its own PostgreSQL role, which cannot connect to the other host's database.</summary>
public sealed class DatabaseRoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GatewayRole_ConnectingToTheIdentityDatabase_IsRefused()
    {
        var gateway = HostConnectionString("ConnectionStrings__hubdb");

        await AssertOwnsAsync(gateway, "sharinghub");
        await AssertRefusedAsync(gateway, "sharinghub_identity");
    }

    [Fact]
    public async Task IdentityRole_ConnectingToTheGatewayDatabase_IsRefused()
    {
        var identity = HostConnectionString("ConnectionStrings__identitydb");

        await AssertOwnsAsync(identity, "sharinghub_identity");
        await AssertRefusedAsync(identity, "sharinghub");
    }

    /// <summary>The connection string ./hub hands the host (hub_env), which must not be the shared administrative role.</summary>
    private static NpgsqlConnectionStringBuilder HostConnectionString(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable)
            ?? throw new InfrastructureUnavailableException($"{variable} is not set. {TestInfrastructure.RunHubInfra}");
        var builder = new NpgsqlConnectionStringBuilder(value);
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(TestInfrastructure.Current.PostgresAdminConnectionString).Username, builder.Username);
        return builder;
    }

    private static async Task AssertOwnsAsync(NpgsqlConnectionStringBuilder role, string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(role.ConnectionString) { Database = database, Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()", connection);
        Assert.Equal(role.Username, (string?)await command.ExecuteScalarAsync(Ct));
    }

    private static async Task AssertRefusedAsync(NpgsqlConnectionStringBuilder role, string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(role.ConnectionString) { Database = database, Pooling = false }.ConnectionString);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Ct));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }
}
