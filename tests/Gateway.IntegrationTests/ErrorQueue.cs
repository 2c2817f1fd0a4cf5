using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Gateway.Records;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>The records' error queue of a test's virtual host, read the way an operator would drain it.</summary>
internal static class ErrorQueue
{
    public const string Name = "sharinghub-records_error";

    /// <summary>Waits for the next message set aside on the error queue and takes it off.</summary>
    public static async Task<SetAside> NextAsync(TestVirtualHost virtualHost, TimeSpan patience, CancellationToken cancellationToken) =>
        (await Eventually.UntilAsync(() => TakeAsync(virtualHost, cancellationToken), message => message is not null,
            $"a message on {Name}", patience, cancellationToken))!;

    /// <summary>Takes the next message off the error queue now, or null when there is none (or no queue yet).</summary>
    public static async Task<SetAside?> TakeAsync(TestVirtualHost virtualHost, CancellationToken cancellationToken)
    {
        // A refused get closes the channel (404) or the whole connection (541): each call opens its own.
        await using var connection = await new ConnectionFactory { Uri = virtualHost.AmqpUri }.CreateConnectionAsync(cancellationToken);
        try
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            if (await channel.BasicGetAsync(Name, autoAck: true, cancellationToken) is { } message)
            {
                var headers = message.BasicProperties.Headers;
                return new SetAside(Text(headers?[RecordConsumer.ReasonHeader]) ?? "",
                    Text(headers?.TryGetValue(RecordConsumer.AgencyHeader, out var agency) == true ? agency : null),
                    Encoding.UTF8.GetString(message.Body.Span));
            }
        }
        // 404: not declared yet (the first fault declares it). 541 "noproc": declared a moment ago, and the
        // quorum queue's process is not running yet.
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode is 404 or 541)
        {
        }
        return null;
    }

    /// <summary>Declares the error queue, its exchange and binding exactly as the hub does before its first fault.</summary>
    public static async Task DeclareAsync(TestVirtualHost virtualHost, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = virtualHost.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(Name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false,
            ErrorQueueTopology.QueueArguments.ToDictionary(kv => kv.Key, kv => (object?)kv.Value), cancellationToken: cancellationToken);
        await channel.QueueBindAsync(Name, Name, "", cancellationToken: cancellationToken);
    }

    /// <summary>How many messages wait on the error queue (0 when it is not declared yet).</summary>
    public static async Task<uint> CountAsync(TestVirtualHost virtualHost, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = virtualHost.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(Name, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private static string? Text(object? header) => header switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        null => null,
        _ => header.ToString(),
    };
}

/// <summary>A message on the error queue: the reason and agency headers, and the body.</summary>
internal sealed record SetAside(string Reason, string? Agency, string Body);
