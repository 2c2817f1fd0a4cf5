using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Watches a Gateway's bus: every record batch its consumer handled, with the AMQP redelivered flag, in the order
/// the consumer finished them, and every fault. It counts consumptions, not stored rows, so a message handled twice
/// shows even where the database's unique index hides its effect.
/// </summary>
internal sealed class ConsumedMessages : IConsumeObserver, IDisposable
{
    private readonly ConcurrentQueue<Consumption> _consumed = new();
    private readonly ConcurrentQueue<(Guid? MessageId, string Error)> _faults = new();
    private readonly ConnectHandle _handle;

    private ConsumedMessages(IBus bus) => _handle = bus.ConnectConsumeObserver(this);

    /// <summary>Starts watching <paramref name="app"/>'s bus.</summary>
    public static ConsumedMessages Watch(GatewayApp app) => new(app.Services.GetRequiredService<IBus>());

    /// <summary>Batches the consumer finished, in order.</summary>
    public IReadOnlyList<Consumption> Consumed => [.. _consumed];

    /// <summary>Consumptions that faulted (each goes to a retry or the error queue).</summary>
    public IReadOnlyList<(Guid? MessageId, string Error)> Faults => [.. _faults];

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.Message is RecordBatchPublished batch)
        {
            _consumed.Enqueue(new Consumption(context.MessageId, context.ReceiveContext.Redelivered,
                [.. batch.Persons.Select(p => $"person:{p.LocalId}"), .. batch.Phones.Select(p => $"phone:{p.LocalId}"),
                 .. batch.Locations.Select(l => $"location:{l.LocalId}"), .. batch.Withdrawals.Select(w => $"withdrawal:{w.LocalId}")]));
        }
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        _faults.Enqueue((context.MessageId, $"{exception.GetType().Name}: {exception.Message}"));
        return Task.CompletedTask;
    }

    public void Dispose() => _handle.Disconnect();
}

/// <summary>One consumption of a record batch: the message id, whether the broker had delivered it before, and its records.</summary>
internal sealed record Consumption(Guid? MessageId, bool Redelivered, IReadOnlyList<string> Records);
