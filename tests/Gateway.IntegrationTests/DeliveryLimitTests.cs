using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A poison message: one that takes down whichever Gateway replica receives it (a crash returns it to the queue
/// unacknowledged). The records queue's delivery limit moves it to the error queue after a few deliveries, with
/// the broker's reason, and the messages behind it are stored.
/// </summary>
public sealed class DeliveryLimitTests(LimitsFixture hub) : IClassFixture<LimitsFixture>
{
    private const string RecordsQueue = "sharinghub-records";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consume_MessageCrashingEveryDelivery_DeadLetteredAfterTheLimitWithReasonOthersStored()
    {
        var agency = await hub.AddAgencyAsync("D");
        // The fixture's Gateway stops consuming; a crashing replica stands in for it below.
        await hub.App.Services.GetRequiredService<IBusControl>().StopAsync(Ct);
        var poisonId = Guid.NewGuid().ToString();
        await RawEnvelope.PublishBodyAsync(agency, JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = poisonId,
            messageType = new[] { RawEnvelope.RecordBatchMessageType },
            message = new { persons = new[] { new { localId = "P-POISON", version = 1 } } },
        }), Ct, messageId: poisonId);
        var (exit, output) = await hub.PublishAsync(agency, hub.WriteLines(CanonicalLines.Mixed(3, "OK")));
        Assert.True(exit == ExitCodes.Success, output);

        var crashes = 0;
        var factory = new ConnectionFactory { Uri = hub.VirtualHost.AmqpUri };
        while (!await OnErrorQueueAsync(agency.Code))
        {
            Assert.True(crashes <= 10, $"the poison message was delivered {crashes} times and is still on the records queue");
            // A replica takes the message and dies: its channel closes without an acknowledgement.
            await using var connection = await factory.CreateConnectionAsync(Ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
            if (await channel.BasicGetAsync(RecordsQueue, autoAck: false, Ct) is { } got)
            {
                Assert.Equal(poisonId, got.BasicProperties.MessageId);
                crashes++;
            }
        }
        Assert.InRange(crashes, 5, 6);

        var listing = (await hub.RunAsync("errors", "show", poisonId)).Output;
        Assert.Contains($"{poisonId}  agency {agency.Code}  delivery-limit", listing, StringComparison.Ordinal);
        Assert.Contains("records: person P-POISON", listing, StringComparison.Ordinal);

        // A healthy replica starts: the messages behind the poison are stored.
        await using var healthy = new GatewayApp(hub, new Dictionary<string, string?> { ["Ingestion:ConcurrentMessageLimit"] = "1" });
        _ = healthy.Services;
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 3, Patience);
        Assert.Null(await hub.FindAsync(agency.Code, RecordKind.Person, "P-POISON"));
    }

    private async Task<bool> OnErrorQueueAsync(string agency)
    {
        var (exit, output, _) = await hub.RunAsync("errors", "list");
        return exit == 0 && output.Contains($"agency {agency} ", StringComparison.Ordinal);
    }
}
