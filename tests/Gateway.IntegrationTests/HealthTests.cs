using System.Net;
using Npgsql;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// <c>/health/ready</c> follows its dependencies. How soon a change shows is not asserted (a host sees it at its
/// next probe, later on a loaded machine): each wait polls for the change with <see cref="Eventually.Patience"/>.
/// </summary>
public sealed class HealthTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    [Fact]
    public async Task Ready_InfrastructureUp_Returns200()
    {
        await using var app = new GatewayApp(fixture);

        var (status, body) = await app.WaitForReadinessAsync(HttpStatusCode.OK, TestContext.Current.CancellationToken);

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Contains("\"postgres-hubdb\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq-rabbitmq\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_PostgresStops_Returns503NamingItWhileLiveStays200()
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
    public async Task Ready_RabbitMqStops_Returns503NamingItWhileLiveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = fixture.VirtualHost.GatewayAmqpUri;
        await using var proxy = new TcpProxy(broker.Host, broker.Port);
        proxy.Start();
        var proxied = new UriBuilder(broker) { Port = proxy.Port }.Uri;
        await using var app = new GatewayApp(fixture.Database.ConnectionString, proxied.ToString());
        await AssertOutageShowsAndClearsAsync(app, proxy, "rabbitmq-rabbitmq", ct);
    }

    // Ready while the dependency behind the proxy is up; 503, naming the check, once it has gone away, while liveness
    // stays 200; ready again once it is back.
    private static async Task AssertOutageShowsAndClearsAsync(GatewayApp app, TcpProxy proxy, string check, CancellationToken ct)
    {
        await app.WaitForReadinessAsync(HttpStatusCode.OK, ct);

        await proxy.StopAsync();
        var (_, body) = await app.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, ct);

        Assert.Contains($"\"{check}\":{{\"status\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.GetLivenessAsync(ct)).Status);

        proxy.Start();
        await app.WaitForReadinessAsync(HttpStatusCode.OK, ct);
    }
}
