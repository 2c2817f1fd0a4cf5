using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Options;

namespace SharingHub.Gateway.Records;

/// <summary>
/// The records queue's arguments, and the error queue that invalid records are set aside on and faulted messages
/// moved to (<see cref="ErrorQueueMove"/>). It is declared before the first message goes there, exactly as
/// MassTransit would declare its own (RabbitMqErrorSettings: the receive queue's arguments, a durable fanout
/// exchange, bound with an empty key), so that a hub upgraded from MassTransit's error transport finds it equivalent.
/// </summary>
internal sealed class ErrorQueueTopology(IOptions<IngestionOptions> options)
{
    /// <summary>The records queue's arguments as <c>SetQuorumQueue()</c> sets them; the error queue gets the same.</summary>
    public static readonly IReadOnlyDictionary<string, object> QueueArguments = new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
    };

    private volatile bool _declared;

    /// <summary>The error queue and the exchange of the same name (MassTransit's <c>QUEUE_error</c> convention).</summary>
    public string Name { get; } = $"{options.Value.QueueName}_error";

    /// <summary>Declares the error exchange, queue and binding (once per process; a repeated declaration is harmless).</summary>
    public async Task EnsureAsync(ReceiveContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_declared)
        {
            return;
        }
        if (!context.TryGetPayload<ChannelContext>(out var channel))
        {
            throw new InvalidOperationException("The records consumer runs on RabbitMQ; its receive context carries no RabbitMQ channel.");
        }
        var arguments = QueueArguments.ToDictionary(kv => kv.Key, kv => kv.Value);
        await channel.ExchangeDeclare(Name, "fanout", durable: true, autoDelete: false, new Dictionary<string, object>(), cancellationToken);
        await channel.QueueDeclare(Name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken);
        await channel.QueueBind(Name, Name, "", new Dictionary<string, object>(), cancellationToken);
        _declared = true;
    }
}
