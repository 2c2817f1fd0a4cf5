using System.Net;
using SharingHub.Connectors.Cli;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A hub whose broker is a cluster (<c>Broker:Nodes</c>, the connector's <c>--broker-nodes</c>), one of whose listed
/// nodes is down: the first node listed is a loopback port nobody listens on, the second the real broker. The Gateway
/// must still start its consumer and be ready, and a connector given the same list must still publish.
/// </summary>
public sealed class BrokerNodesFixture : IngestionFixture
{
    /// <summary>A port nobody listens on, first in the list.</summary>
    public static readonly int DeadPort = GatewayApp.FreePort();

    /// <summary>The node list: the dead port, then the real broker.</summary>
    public string Nodes => $"127.0.0.1:{DeadPort},{VirtualHost.AmqpUri.Host}:{VirtualHost.AmqpUri.Port}";

    protected override IReadOnlyDictionary<string, string?> ConsumerSettings => new Dictionary<string, string?>
    {
        ["Ingestion:ConcurrentMessageLimit"] = "1",
        ["Ingestion:PrefetchCount"] = "4",
        ["Broker:Nodes"] = Nodes,
    };
}

public sealed class BrokerNodesTests(BrokerNodesFixture hub) : IClassFixture<BrokerNodesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Consume_FirstListedNodeDown_GatewayReadyConnectorPublishesRecordsStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var agency = await hub.AddAgencyAsync("N");

        var (exit, output) = await hub.PublishAsync(agency, hub.WriteLines(CanonicalLines.Mixed(5, "K")), "--broker-nodes", hub.Nodes);

        Assert.True(exit == ExitCodes.Success, output);
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 5, Patience);
        var (status, body) = await hub.App.WaitForReadinessAsync(HttpStatusCode.OK, ct);
        Assert.Contains("\"rabbitmq-rabbitmq\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
