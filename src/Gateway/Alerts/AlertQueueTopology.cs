using RabbitMQ.Client;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// The broker shape of alert delivery (ADR-011): one durable direct exchange <see cref="Exchange"/>, and per agency a
/// durable quorum queue <c>sharinghub-alerts.&lt;CODE&gt;</c> bound to it with the agency code as routing key. A
/// message that keeps coming back (a consumer that crashes on it) is dead-lettered after
/// <see cref="DeliveryLimit"/> deliveries to <see cref="DeadLetterQueue"/>, where the hub's operators find it (the
/// dead-letter exchange is set by the broker policy <c>sharinghub-alerts-dead-letter</c> that <c>./hub infra</c>
/// applies: as a queue argument it would need the Gateway to read the agencies' queues); the alert itself stays in
/// PostgreSQL and in the agency's GraphQL inbox.
/// </summary>
public static class AlertQueueTopology
{
    /// <summary>The exchange the relay publishes every alert to, routed by agency code.</summary>
    public const string Exchange = AgencyBrokerTopology.AlertExchange;

    /// <summary>The exchange a queue's rejected or over-delivered messages go to.</summary>
    public const string DeadLetterExchange = "sharinghub-alerts-dead";

    /// <summary>The queue that collects dead-lettered alert messages of every agency (for the hub's operators only).</summary>
    public const string DeadLetterQueue = "sharinghub-alerts-dead";

    /// <summary>Deliveries of one message to an agency's consumers before the broker dead-letters it.</summary>
    public const int DeliveryLimit = AgencyBrokerTopology.AlertDeliveryLimit;

    /// <summary>
    /// The AMQP header that carries the relay span's W3C trace context to the agency's drain (the W3C Trace Context
    /// names, as OpenTelemetry's messaging conventions use them in AMQP application properties).
    /// </summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header beside <see cref="TraceParentHeader"/> with the vendor trace state, when there is one.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>The trace headers of a message published under <paramref name="activity"/>; null outside a trace.</summary>
    public static Dictionary<string, object?>? TraceHeaders(System.Diagnostics.Activity? activity)
    {
        if (activity is not { IdFormat: System.Diagnostics.ActivityIdFormat.W3C, Id: { } id })
        {
            return null;
        }
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal) { [TraceParentHeader] = id };
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            headers[TraceStateHeader] = activity.TraceStateString;
        }
        return headers;
    }

    /// <summary>The alert queue of agency <paramref name="code"/>.</summary>
    public static string QueueOf(string code) => AgencyBrokerTopology.AlertQueueOf(code);

    /// <summary>The arguments of an agency's alert queue (a redeclaration with other arguments is refused by the broker).</summary>
    public static Dictionary<string, object?> QueueArguments => AgencyBrokerTopology.AlertQueueArguments;

    /// <summary>Declares the exchange and the dead-letter queue (idempotent).</summary>
    public static async Task DeclareSharedAsync(IChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, "", cancellationToken: cancellationToken);
    }

    /// <summary>Declares agency <paramref name="code"/>'s alert queue and binds it (idempotent).</summary>
    public static async Task DeclareAgencyAsync(IChannel channel, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var queue = QueueOf(code);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments,
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, Exchange, code, cancellationToken: cancellationToken);
    }
}
