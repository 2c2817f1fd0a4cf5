using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

public sealed class DatabaseIsolationTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    [Fact]
    public async Task CreateAsync_TwoDatabases_DoNotSeeEachOthersRows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var other = await TestDatabase.CreateAsync(fixture.Infrastructure, ct);
        await using var app = new GatewayApp(fixture);
        await using var otherApp = new GatewayApp(other.ConnectionString, fixture.VirtualHost.GatewayAmqpUri.ToString());
        await app.MigrateAsync(ct);
        await otherApp.MigrateAsync(ct);

        await app.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = "ISO0001", Name = "Isolation PD", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync(ct);
        });

        Assert.Equal(1, await app.WithDatabaseAsync(db => db.Agencies.CountAsync(a => a.Code == "ISO0001", ct)));
        Assert.Equal(0, await otherApp.WithDatabaseAsync(db => db.Agencies.CountAsync(a => a.Code == "ISO0001", ct)));
        Assert.NotEqual(fixture.Database.Name, other.Name);
    }

    [Fact]
    public async Task DisposeAsync_Database_IsDropped()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await TestDatabase.CreateAsync(fixture.Infrastructure, ct);
        Assert.True(await TestDatabase.ExistsAsync(fixture.Infrastructure, database.Name, ct));

        await database.DisposeAsync();

        Assert.False(await TestDatabase.ExistsAsync(fixture.Infrastructure, database.Name, ct));
    }

    [Fact]
    public async Task CreateAsync_FromTemplate_HasTheHubExtensions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await fixture.Database.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pg_trgm','fuzzystrmatch','unaccent','postgis')",
            connection);

        Assert.Equal("fuzzystrmatch,pg_trgm,postgis,unaccent", await command.ExecuteScalarAsync(ct));
    }

    [Fact]
    public async Task CreateAsync_PostgresUnreachable_FailsSayingToRunHubInfra()
    {
        var ct = TestContext.Current.CancellationToken;
        var unreachable = fixture.Infrastructure with
        {
            PostgresAdminConnectionString = new NpgsqlConnectionStringBuilder(fixture.Infrastructure.PostgresAdminConnectionString)
            {
                Port = UnusedPort(),
                Timeout = 2,
            }.ConnectionString,
        };

        var error = await Assert.ThrowsAsync<InfrastructureUnavailableException>(() => TestDatabase.CreateAsync(unreachable, ct));

        Assert.Contains("./hub infra", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_RabbitMqUnreachable_FailsSayingToRunHubInfra()
    {
        var ct = TestContext.Current.CancellationToken;
        var unreachable = fixture.Infrastructure with
        {
            RabbitMqManagementUri = new UriBuilder(fixture.Infrastructure.RabbitMqManagementUri) { Port = UnusedPort() }.Uri,
        };

        var error = await Assert.ThrowsAsync<InfrastructureUnavailableException>(() => TestVirtualHost.CreateAsync(unreachable, ct));

        Assert.Contains("./hub infra", error.Message, StringComparison.Ordinal);
    }

    private static int UnusedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
