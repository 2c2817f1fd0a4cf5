using System.Net;
using Npgsql;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

public sealed class HealthTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    // How long a freshly started host may take to first report ready (a first broker handshake on a loaded machine).
    private static readonly TimeSpan StartUp = TimeSpan.FromSeconds(30);

    // How soon an outage must show on /health/ready.
    private static readonly TimeSpan OutageShowsWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ready_InfrastructureUp_Returns200()
    {
        await using var app = new GatewayApp(fixture);

        var (status, body, _) = await app.WaitForReadinessAsync(HttpStatusCode.OK, StartUp, TestContext.Current.CancellationToken);

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Contains("\"postgres-hubdb\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq-rabbitmq\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_PostgresStops_Returns503WithinSecondsWhileLiveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString);
        await using var proxy = new TcpProxy(database.Host!, database.Port);
        proxy.Start();
        database.Port = proxy.Port;
        await using var app = new GatewayApp(database.ConnectionString, fixture.VirtualHost.GatewayAmqpUri.ToString());
        await AssertOutageShowsAndClearsAsync(app, proxy, "postgres-hubdb", ct);
    }

    [Fact]
    public async Task Ready_RabbitMqStops_Returns503WithinSecondsWhileLiveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = fixture.VirtualHost.GatewayAmqpUri;
        await using var proxy = new TcpProxy(broker.Host, broker.Port);
        proxy.Start();
        var proxied = new UriBuilder(broker) { Port = proxy.Port }.Uri;
        await using var app = new GatewayApp(fixture.Database.ConnectionString, proxied.ToString());
        await AssertOutageShowsAndClearsAsync(app, proxy, "rabbitmq-rabbitmq", ct);
    }

    // Ready while the dependency behind the proxy is up; 503 (naming the check) within seconds of it going away,
    // while liveness stays 200; ready again once it is back.
    private static async Task AssertOutageShowsAndClearsAsync(GatewayApp app, TcpProxy proxy, string check, CancellationToken ct)
    {
        Assert.Equal(HttpStatusCode.OK, (await app.WaitForReadinessAsync(HttpStatusCode.OK, StartUp, ct)).Status);

        await proxy.StopAsync();
        var (status, body, elapsed) = await app.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, OutageShowsWithin, ct);

        Assert.True(status == HttpStatusCode.ServiceUnavailable, $"still {status} after {elapsed}: {body}");
        Assert.Contains($"\"{check}\":{{\"status\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.GetLivenessAsync(ct)).Status);

        proxy.Start();
        Assert.Equal(HttpStatusCode.OK, (await app.WaitForReadinessAsync(HttpStatusCode.OK, StartUp, ct)).Status);
    }
}
