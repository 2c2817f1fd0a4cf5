using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Connectors.Publishing;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Publishes as an agency's broker user, with its user_id, straight to the hub's exchange: what another publisher than the connector might send.</summary>
internal static class RawPublisher
{
    /// <summary>A MassTransit envelope around <paramref name="batch"/> (a <see cref="RecordBatchPublished"/> shape).</summary>
    public static Task PublishBatchAsync(TestAgency agency, object batch, CancellationToken cancellationToken) =>
        PublishAsync(agency, JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { $"urn:message:{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}" },
            message = batch,
        }), null, cancellationToken);

    /// <summary>Any body, labelled as a MassTransit JSON message.</summary>
    public static async Task PublishAsync(TestAgency agency, byte[] body, string? messageId, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = agency.AuthenticatedBroker };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties
        {
            UserId = agency.Code,
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            MessageId = messageId,
        };
        await channel.BasicPublishAsync(RecordPublisher.BatchExchange, "", mandatory: true, properties, body, cancellationToken);
    }
}
