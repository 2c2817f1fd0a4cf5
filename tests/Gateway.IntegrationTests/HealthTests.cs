using System.Net;
using Npgsql;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

public sealed class HealthTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    [Fact]
    public async Task Ready_InfrastructureUp_Returns200()
    {
        await using var app = new GatewayApp(fixture);

        var (status, body) = await app.GetReadinessAsync(TestContext.Current.CancellationToken);

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
        await using var app = new GatewayApp(database.ConnectionString, fixture.VirtualHost.AmqpUri.ToString());
        Assert.Equal(HttpStatusCode.OK, (await app.GetReadinessAsync(ct)).Status);

        await proxy.StopAsync();
        var stopped = TimeProvider.System.GetTimestamp();
        var (status, body) = await app.GetReadinessAsync(ct);
        var elapsed = TimeProvider.System.GetElapsedTime(stopped);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("\"postgres-hubdb\":{\"status\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"readiness took {elapsed} to report the outage");
        Assert.Equal(HttpStatusCode.OK, (await app.GetLivenessAsync(ct)).Status);

        proxy.Start();
        Assert.Equal(HttpStatusCode.OK, (await app.GetReadinessAsync(ct)).Status);
    }

    [Fact]
    public async Task Ready_RabbitMqStops_Returns503WhileLiveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = fixture.VirtualHost.AmqpUri;
        await using var proxy = new TcpProxy(broker.Host, broker.Port);
        proxy.Start();
        var proxied = new UriBuilder(broker) { Port = proxy.Port }.Uri;
        await using var app = new GatewayApp(fixture.Database.ConnectionString, proxied.ToString());
        Assert.Equal(HttpStatusCode.OK, (await app.GetReadinessAsync(ct)).Status);

        await proxy.StopAsync();
        var (status, body) = await app.GetReadinessAsync(ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("\"rabbitmq-rabbitmq\":{\"status\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.GetLivenessAsync(ct)).Status);
    }
}
