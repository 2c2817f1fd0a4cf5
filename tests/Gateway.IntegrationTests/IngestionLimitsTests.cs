using SharingHub.TestSupport;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The hub's limits against a careless or hostile publisher: an oversized message is refused unread, withdrawals of
/// keys never stored leave nothing behind, and the broker policies are in force on queues that already existed. In
/// each case the agency's good records, sent alongside, are stored.
/// </summary>
public sealed class IngestionLimitsTests(LimitsFixture hub) : IClassFixture<LimitsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consume_MessageLargerThanMaxMessageBytes_ErrorQueueWithReasonUnreadGoodRecordsStored()
    {
        var agency = await hub.AddAgencyAsync("S");
        // Not even JSON: had the Gateway read it, the fault would name a JSON error instead of the size.
        var oversized = Encoding.ASCII.GetBytes(new string('x', LimitsFixture.MaxMessageBytes + 1));
        await RawEnvelope.PublishBodyAsync(agency, oversized, Ct, messageId: Guid.NewGuid().ToString());
        var (exit, output) = await hub.PublishAsync(agency, hub.WriteLines(CanonicalLines.Mixed(6, "G")));
        Assert.True(exit == ExitCodes.Success, output);

        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 6, Patience);
        var error = await ErrorQueue.NextAsync(hub.VirtualHost, Patience, Ct);
        Assert.Equal($"the message is {oversized.Length} bytes; the hub accepts at most {LimitsFixture.MaxMessageBytes} (Ingestion:MaxMessageBytes); it was not read",
            error.Reason);
        Assert.Equal(oversized.Length, Encoding.UTF8.GetByteCount(error.Body));
    }

    [Fact]
    public async Task Withdraw_KeysNeverStored_NoTombstonesKnownRecordWithdrawnGoodRecordStored()
    {
        var agency = await hub.AddAgencyAsync("T");
        var (exit, output) = await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Person("P-1")]));
        Assert.True(exit == ExitCodes.Success, output);
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 1, Patience);

        var spray = Enumerable.Range(0, 200).Select(i => CanonicalLines.Withdrawal(i % 2 == 0 ? "person" : "phone", $"RANDOM-{Guid.NewGuid():N}", 7));
        (exit, output) = await hub.PublishAsync(agency, hub.WriteLines([.. spray, CanonicalLines.Withdrawal("person", "P-1", 2), CanonicalLines.Person("P-2")]));
        Assert.True(exit == ExitCodes.Success, output);

        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-2"), r => r is not null, Patience);
        Assert.Equal(2, await hub.CountAsync(agency.Code));
        var withdrawn = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.NotNull(withdrawn!.WithdrawnAt);
        Assert.Equal(2, withdrawn.Version);
    }

    [Fact]
    public async Task BrokerSetup_QueuesThatAlreadyExisted_DeliveryLimitAndErrorRetentionInForce()
    {
        Assert.Contains("delivery-limit 5", hub.BrokerSetupOutput, StringComparison.Ordinal);
        var records = await EffectivePolicyAsync("sharinghub-records");
        Assert.Equal(5, records.GetProperty("delivery-limit").GetInt32());
        Assert.Equal("sharinghub-records_error", records.GetProperty("dead-letter-exchange").GetString());
        var error = await EffectivePolicyAsync("sharinghub-records_error");
        Assert.Equal(TimeSpan.FromDays(30).TotalMilliseconds, error.GetProperty("message-ttl").GetInt64());

        // Run again (every deployment does): it converges, nothing is refused as inequivalent.
        var (exit, _, stderr) = await hub.RunAsync("broker", "setup");
        Assert.True(exit == 0, stderr);
    }

    /// <summary>The policy definition RabbitMQ applies to a queue (it takes effect shortly after the policy is set).</summary>
    private async Task<JsonElement> EffectivePolicyAsync(string queue)
    {
        var info = await Eventually.UntilAsync(() => hub.VirtualHost.Management.GetFromJsonAsync<JsonElement>(
                $"api/queues/{Uri.EscapeDataString(hub.VirtualHost.Name)}/{queue}", Ct),
            queueInfo => queueInfo.TryGetProperty("effective_policy_definition", out var definition)
                && definition.ValueKind == JsonValueKind.Object && definition.EnumerateObject().Any(),
            $"a policy to take effect on {queue}", Patience, Ct);
        return info.GetProperty("effective_policy_definition");
    }
}
