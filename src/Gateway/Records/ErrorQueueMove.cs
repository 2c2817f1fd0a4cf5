using MassTransit;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;

namespace SharingHub.Gateway.Records;

/// <summary>
/// Moves an agency message the hub cannot handle to the hub's error queue, as MassTransit's own error transport
/// does (the body and properties as received, its fault headers, host headers) except for <c>user_id</c>: RabbitMQ
/// lets a publisher set another user's id only with the <c>impersonator</c> tag, which the Gateway's broker user does
/// not have. The agency RabbitMQ authenticated goes into <see cref="RecordConsumer.AgencyHeader"/> instead, over
/// whatever the agency put there itself.
/// </summary>
internal static class ErrorQueueMove
{
    /// <summary>The reason given to a message whose type the hub does not consume.</summary>
    public const string NotConsumedReason = "the hub consumes no message of this type";

    public static async Task MoveAsync(ErrorQueueTopology errorQueue, ReceiveContext context, Action<SendHeaders> setHeaders)
    {
        if (!context.TryGetPayload(out ChannelContext? channel))
        {
            throw new InvalidOperationException("The records endpoint runs on RabbitMQ; its receive context carries no RabbitMQ channel.");
        }
        await errorQueue.EnsureAsync(context, context.CancellationToken);

        BasicProperties properties;
        string? agency = null;
        if (context.TryGetPayload(out RabbitMqBasicConsumeContext? received))
        {
            properties = new BasicProperties(received.Properties);
            agency = received.Properties.UserId;
        }
        else
        {
            properties = new BasicProperties();
        }
        var copied = new Dictionary<string, object?>(properties.Headers ?? new Dictionary<string, object?>(), StringComparer.OrdinalIgnoreCase);
        properties.Headers = copied;
        properties.UserId = null;
        properties.Expiration = null;

        var headers = new MoveTransportHeaders(properties);
        headers.SetHostHeaders();
        setHeaders(headers);
        copied.Remove(RecordConsumer.AgencyHeader);
        if (!string.IsNullOrWhiteSpace(agency))
        {
            copied[RecordConsumer.AgencyHeader] = agency;
        }

        // Mandatory: unroutable is an error (the message stays on the records queue), never a silent drop.
        await channel.BasicPublishAsync(errorQueue.Name, "", mandatory: true, properties, context.GetBody(), awaitAck: true, context.CancellationToken);
    }

    /// <summary>Replaces MassTransit's error transport on the records endpoint.</summary>
    public sealed class FaultFilter(ErrorQueueTopology errorQueue) : IFilter<ExceptionReceiveContext>
    {
        public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(next);
            await MoveAsync(errorQueue, context, headers => headers.CopyFrom(context.ExceptionHeaders));
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("hubErrorQueue");
    }

    /// <summary>Replaces MassTransit's dead-letter (<c>_skipped</c>) transport on the records endpoint.</summary>
    public sealed class SkippedFilter(ErrorQueueTopology errorQueue) : IFilter<ReceiveContext>
    {
        public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(next);
            await MoveAsync(errorQueue, context, headers =>
            {
                headers.Set(RecordConsumer.ReasonHeader, NotConsumedReason);
                headers.Set("MT-Reason", "skipped");
            });
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("hubErrorQueueSkipped");
    }
}
