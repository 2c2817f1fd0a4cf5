using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Connectors.Publishing;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Hand-made MassTransit envelopes, published as an agency's broker user with its own user_id, the way a hostile
/// or careless publisher could, bypassing the connector and its sanitizer.
/// </summary>
internal static class RawEnvelope
{
    public static string RecordBatchMessageType => $"urn:message:{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}";

    /// <summary>
    /// Publishes <paramref name="message"/> in an envelope with the given extra envelope fields and AMQP headers, with the
    /// agency's user_id unless <paramref name="withUserId"/> is false; returns its message id.
    /// </summary>
    public static async Task<Guid> PublishAsync(TestAgency agency, object message, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, object>? envelopeFields = null, IDictionary<string, object?>? headers = null, bool withUserId = true)
    {
        var messageId = Guid.NewGuid();
        var envelope = new Dictionary<string, object>
        {
            ["messageId"] = messageId,
            ["messageType"] = new[] { RecordBatchMessageType },
            ["message"] = message,
        };
        foreach (var (key, value) in envelopeFields ?? new Dictionary<string, object>())
        {
            envelope[key] = value;
        }
        await PublishBodyAsync(agency, JsonSerializer.SerializeToUtf8Bytes(envelope), cancellationToken, headers: headers, withUserId: withUserId);
        return messageId;
    }

    /// <summary>
    /// Publishes any <paramref name="body"/>, labelled as a MassTransit JSON message, to the record exchange as the
    /// agency (with its user_id unless <paramref name="withUserId"/> is false).
    /// </summary>
    public static async Task PublishBodyAsync(TestAgency agency, byte[] body, CancellationToken cancellationToken,
        string? messageId = null, IDictionary<string, object?>? headers = null, bool withUserId = true)
    {
        var factory = new ConnectionFactory { Uri = agency.AuthenticatedBroker };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties
        {
            UserId = withUserId ? agency.Code : null,
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            MessageId = messageId,
            Headers = headers,
        };
        await channel.BasicPublishAsync(RecordPublisher.BatchExchange, "", mandatory: true, properties, body, cancellationToken);
    }
}
