using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace SharingHub.Bench.Ingest;

/// <summary>
/// The raw ceiling: plain RabbitMQ.Client publish-with-confirms plus consume, one ~400-byte message per record,
/// on a quorum queue, with a confirm window of 256 and prefetch 256, no database. Rate = messages from the first
/// publish until the last is consumed.
/// </summary>
internal static class RawCeiling
{
    private const int Window = 256;

    private static async Task PublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, SemaphoreSlim window,
        CancellationToken cancellationToken)
    {
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory: false, properties, body, cancellationToken);
        }
        finally
        {
            window.Release();
        }
    }

    public static async Task<double> MeasureAsync(Uri broker, int messages, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "sharinghub-bench-raw" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var consumerConnection = await factory.CreateConnectionAsync(cancellationToken);
        var queue = $"bench-raw-{Guid.NewGuid():N}";
        await using var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        try
        {
            await using var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
            await consumerChannel.BasicQosAsync(0, Window, false, cancellationToken);
            var received = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(consumerChannel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false, cancellationToken);
                if (Interlocked.Increment(ref received) == messages)
                {
                    done.TrySetResult();
                }
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);

            var body = new byte[400];
            Random.Shared.NextBytes(body);
            var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
            var started = Stopwatch.StartNew();
            // A sliding window: at most 256 publishes wait for their confirm at any time.
            using var window = new SemaphoreSlim(Window);
            var pending = new List<Task>(messages);
            for (var i = 0; i < messages; i++)
            {
                await window.WaitAsync(cancellationToken);
                pending.Add(PublishAsync(publisher, queue, properties, body, window, cancellationToken));
            }
            await Task.WhenAll(pending);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
            return messages / started.Elapsed.TotalSeconds;
        }
        finally
        {
            await publisher.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
        }
    }
}
