using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Connectors.Publishing;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Publishes hand-made messages as an agency's broker user, bypassing the connector and its sanitizer.</summary>
internal static class RawPublisher
{
    /// <summary>Publishes a MassTransit envelope carrying <paramref name="batch"/> (a record batch's JSON shape), with the agency's user_id.</summary>
    public static async Task PublishBatchAsync(TestAgency agency, object batch, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = agency.AuthenticatedBroker };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var envelope = new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { $"urn:message:{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}" },
            message = batch,
        };
        var properties = new BasicProperties { UserId = agency.Code, ContentType = "application/vnd.masstransit+json", Persistent = true };
        await channel.BasicPublishAsync(RecordPublisher.BatchExchange, "", mandatory: true, properties,
            JsonSerializer.SerializeToUtf8Bytes(envelope), cancellationToken);
    }
}
