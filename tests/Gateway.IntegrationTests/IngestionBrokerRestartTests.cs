using Microsoft.EntityFrameworkCore;
using SharingHub.Connectors.Cli;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Stops the shared RabbitMQ node, so it runs alone, after every parallel test.</summary>
[CollectionDefinition(nameof(BrokerRestartGroup), DisableParallelization = true)]
public sealed class BrokerRestartGroup;

[Collection(nameof(BrokerRestartGroup))]
[Trait("Category", "Disruptive")] // stops the shared broker: ./hub test runs it after every other test
public sealed class IngestionBrokerRestartTests(BrokerRestartFixture hub) : IClassFixture<BrokerRestartFixture>
{
    [Fact]
    public async Task PublishCli_BrokerRestartedMidRun_EveryRowStoredExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        const int records = 60_000;
        var agency = await hub.AddAgencyAsync("S");
        var file = hub.WriteLines(CanonicalLines.Mixed(records));

        // The connector reaches the broker through a proxy, so that its connection is cut at once, mid-run, however
        // fast this machine publishes; the broker itself is then really restarted under the hub and the connector.
        await using var proxy = new TcpProxy(agency.Broker.Host, agency.Broker.Port);
        proxy.Start();
        var proxied = agency with { Broker = new UriBuilder(agency.Broker) { Port = proxy.Port }.Uri };

        // Small batches make the run long; the cut comes as soon as the first batches are confirmed (the
        // connector has written its progress).
        var publishing = hub.PublishAsync(proxied, file, "--batch-size", "10");
        var state = Path.Combine(hub.WorkDirectory, "state");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Directory.Exists(state) && Directory.EnumerateFiles(state, "*.json").Any()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, ct);
        }
        await proxy.StopAsync();
        var cutMidRun = !publishing.IsCompleted;
        var connectionsBeforeCut = proxy.ConnectionsAccepted;
        try
        {
            await HubCommand.RunAsync("infra", "stop-rabbit");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        finally
        {
            // Whatever happened, the shared broker comes back for the tests after this one.
            await HubCommand.RunAsync("infra", "start-rabbit");
            proxy.Start();
        }
        Assert.True(cutMidRun, "the connector finished before its connection was cut; the test proves nothing");

        var (exit, output) = await publishing.WaitAsync(TimeSpan.FromMinutes(4), ct);
        Assert.True(exit == ExitCodes.Success, output);
        // It lost its connection mid-run and came back through the proxy to the restarted broker. (Whether it also
        // printed "broker unavailable" depends on the outage outlasting a publish's confirm timeout.)
        Assert.True(connectionsBeforeCut >= 1, "the connector never connected before the cut");
        Assert.True(proxy.ConnectionsAccepted > connectionsBeforeCut, $"the connector did not reconnect after the cut: {output}");
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == records, TimeSpan.FromMinutes(5));
        var perKey = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.AgencyCode == agency.Code)
            .GroupBy(r => new { r.Kind, r.LocalId }).Select(g => g.Count()).Distinct().ToListAsync(ct));
        Assert.Equal([1], perKey);
    }
}

/// <summary>
/// The hub consumes as in production (concurrently), so that the connector's many small messages, each matched
/// after its commit, are stored within the test's time.
/// </summary>
public sealed class BrokerRestartFixture : IngestionFixture
{
    protected override IReadOnlyDictionary<string, string?> ConsumerSettings { get; } = new Dictionary<string, string?>
    {
        ["Ingestion:ConcurrentMessageLimit"] = "8",
        ["Ingestion:PrefetchCount"] = "64",
    };
}
