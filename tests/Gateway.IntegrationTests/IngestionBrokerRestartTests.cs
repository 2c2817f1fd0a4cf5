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
    public async Task PublishCli_BrokerRestartedMidRun_EveryRowStoredOnceAndEveryRedeliveryANoOp()
    {
        var ct = TestContext.Current.CancellationToken;
        const int records = 60_000;
        var agency = await hub.AddAgencyAsync("S");
        var file = hub.WriteLines(CanonicalLines.Mixed(records));
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code, durable: true);
        using var consumed = ConsumedMessages.Watch(hub.App);

        // The connector reaches the broker through a proxy, so that its connection is cut at once, mid-run, however
        // fast this machine publishes; the broker itself is then really restarted under the hub and the connector.
        await using var proxy = new TcpProxy(agency.Broker.Host, agency.Broker.Port);
        proxy.Start();
        var proxied = agency with { Broker = new UriBuilder(agency.Broker) { Port = proxy.Port }.Uri };

        // Small batches make the run long; the cut comes as soon as the first batches are confirmed (the
        // connector has written its progress).
        var publishing = hub.PublishAsync(proxied, file, "--batch-size", "10");
        var state = Path.Combine(hub.WorkDirectory, "state");
        await Eventually.UntilAsync(() => Directory.Exists(state) && Directory.EnumerateFiles(state, "*.json").Any(),
            "the connector to write its first progress", cancellationToken: ct);
        await proxy.StopAsync();
        var cutMidRun = !publishing.IsCompleted;
        var connectionsBeforeCut = proxy.ConnectionsAccepted;
        try
        {
            await HubCommand.RunAsync("infra", "stop-rabbit");
            // The scenario: the broker stays down for a while (not a wait for a result).
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

        // On the wire: every message the connector got confirmed (and any it re-sent) was consumed; a message consumed
        // again was one the broker redelivered, and nothing was set aside.
        var sent = await spy.DrainMessagesAsync();
        var sentIds = sent.Select(m => m.MessageId).ToHashSet();
        var ours = await Eventually.UntilAsync(() => Task.FromResult(consumed.Consumed.Where(c => c.MessageId is { } id && sentIds.Contains(id)).ToList()),
            list => list.Select(c => c.MessageId).Distinct().Count() == sentIds.Count, "every published message to be consumed", cancellationToken: ct);
        var again = ours.GroupBy(c => c.MessageId).SelectMany(g => g.Skip(1)).ToList();
        Assert.All(again, c => Assert.True(c.Redelivered, $"message {c.MessageId} was consumed twice without a redelivery"));
        Assert.Null(await ErrorQueue.TakeAsync(hub.VirtualHost, ct));

        // In the hub: each record at version 1, written once (never updated after it was first seen, whatever was
        // redelivered or re-sent), by a message that carried it.
        var carriedBy = ours.SelectMany(c => c.Records.Select(r => (Record: r, Id: c.MessageId!.Value))).ToLookup(p => p.Record, p => p.Id);
        var stored = await hub.App.WithDatabaseAsync(db => db.Records.AsNoTracking().Where(r => r.AgencyCode == agency.Code)
            .Select(r => new { r.Kind, r.LocalId, r.Version, r.FirstSeenAt, r.UpdatedAt, r.LastMessageId }).ToListAsync(ct));
        Assert.Equal(records, stored.Count);
        Assert.All(stored, r =>
        {
            Assert.Equal(1, r.Version);
            Assert.Equal(r.FirstSeenAt, r.UpdatedAt);
            Assert.Contains(r.LastMessageId!.Value, carriedBy[$"{r.Kind.ToString().ToLowerInvariant()}:{r.LocalId}"]);
        });
        TestContext.Current.TestOutputHelper?.WriteLine($"{sent.Count} messages published, {ours.Count} consumptions, {again.Count} redelivered");
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
