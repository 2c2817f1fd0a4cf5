using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// An agency's message envelope names where MassTransit should send faults or responses. The hub acts on none of
/// those addresses: a rejected message goes to the hub's own error queue and nowhere else, so an agency cannot make
/// the Gateway write, with its broker user, into an exchange the agency itself may not write.
/// </summary>
public sealed class EnvelopeAddressTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Rejection
    {
        /// <summary>An agency the hub does not know (its broker user exists, its hub registration does not).</summary>
        UnregisteredAgency,

        /// <summary>A registered agency's message without the AMQP user_id that says who sent it.</summary>
        NoUserId,
    }

    [Theory]
    [InlineData("faultAddress", false, Rejection.UnregisteredAgency)]
    [InlineData("responseAddress", false, Rejection.NoUserId)]
    [InlineData("faultAddress", true, Rejection.NoUserId)]
    [InlineData("responseAddress", true, Rejection.UnregisteredAgency)]
    public async Task Consumer_RejectedMessageNamingAnotherExchange_NothingSentThereAndOnlyTheHubsErrorQueueGetsIt(
        string addressField, bool targetIsTheErrorExchange, Rejection rejection)
    {
        var agency = await hub.AddAgencyAsync("E", registerInDatabase: rejection != Rejection.UnregisteredAgency);
        await using var admin = await new ConnectionFactory { Uri = hub.VirtualHost.AmqpUri }.CreateConnectionAsync(Ct);
        await using var spyChannel = await admin.CreateChannelAsync(cancellationToken: Ct);
        string target;
        string? spy = null;
        if (targetIsTheErrorExchange)
        {
            target = ErrorQueue.Name;
        }
        else
        {
            // Shaped like another agency's exchange; declared as MassTransit would declare a send target.
            target = $"sharinghub-alerts-{Guid.NewGuid():N}";
            await spyChannel.ExchangeDeclareAsync(target, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Ct);
            spy = (await spyChannel.QueueDeclareAsync($"spy-{target}", durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct)).QueueName;
            await spyChannel.QueueBindAsync(spy, target, "", cancellationToken: Ct);
        }
        await AssertAgencyMayNotWriteAsync(agency, target);
        // The hub's error queue exists (as after any earlier fault), so a fault sent to its exchange would stay there.
        await ErrorQueue.DeclareAsync(hub.VirtualHost, Ct);
        var backedUp = await ErrorQueue.CountAsync(hub.VirtualHost, Ct);
        Assert.Equal(0u, backedUp);

        var address = new Uri($"exchange:{target}");
        var fields = new Dictionary<string, object>
        {
            [addressField] = address,
            ["sourceAddress"] = address,
            ["destinationAddress"] = address,
        };
        // A header claiming another agency: the error queue must name the agency RabbitMQ authenticated.
        var headers = new Dictionary<string, object?> { [RecordConsumer.AgencyHeader] = "SOMEONE-ELSE" };
        var messageId = await RawEnvelope.PublishAsync(agency, new { persons = Array.Empty<object>() }, Ct, fields, headers,
            withUserId: rejection != Rejection.NoUserId);

        var error = await ErrorQueue.NextAsync(hub.VirtualHost, Patience, Ct);
        Assert.Contains(messageId.ToString(), error.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("MassTransit:Fault", error.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("MassTransit:ReceiveFault", error.Body, StringComparison.Ordinal);
        // Any fault would have been sent before the message was moved: nothing more came, here or there.
        if (spy is not null)
        {
            Assert.Equal(0u, await spyChannel.MessageCountAsync(spy, Ct));
        }
        Assert.Equal(0u, await ErrorQueue.CountAsync(hub.VirtualHost, Ct));
        if (rejection == Rejection.UnregisteredAgency)
        {
            Assert.Contains($"agency {agency.Code} is not registered", error.Reason, StringComparison.Ordinal);
            Assert.Equal(agency.Code, error.Agency);
        }
        else
        {
            Assert.Contains("no AMQP user_id", error.Reason, StringComparison.Ordinal);
            Assert.Null(error.Agency);
        }
    }

    /// <summary>The premise: the agency's own broker user gets 403 when it publishes to <paramref name="exchange"/>.</summary>
    private static async Task AssertAgencyMayNotWriteAsync(TestAgency agency, string exchange)
    {
        await using var connection = await new ConnectionFactory { Uri = agency.AuthenticatedBroker }.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await channel.BasicPublishAsync(exchange, "", mandatory: false, new BasicProperties { UserId = agency.Code }, "{}"u8.ToArray(), Ct));
        var closed = refused as OperationInterruptedException ?? refused.InnerException as OperationInterruptedException;
        Assert.Equal((ushort)403, closed?.ShutdownReason?.ReplyCode ?? channel.CloseReason?.ReplyCode);
    }
}
