using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Connectors.Publishing;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A spy queue bound to the hub's record exchange: every batch an agency publishes is copied to it, so tests count
/// what was actually sent on the wire instead of inferring it from idempotent storage.
/// </summary>
internal sealed class PublishedRecords : IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly string _queue;
    private readonly string _agency;
    private readonly bool _durable;
    private IConnection _connection;
    private IChannel _channel;

    private PublishedRecords(ConnectionFactory factory, IConnection connection, IChannel channel, string queue, string agency, bool durable)
    {
        _factory = factory;
        _connection = connection;
        _channel = channel;
        _queue = queue;
        _agency = agency;
        _durable = durable;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts copying <paramref name="agency"/>'s batches. A <paramref name="durable"/> spy keeps them through a broker
    /// restart (the copies are persistent, as the originals are); it is deleted when disposed.
    /// </summary>
    public static async Task<PublishedRecords> StartAsync(Uri broker, string agency, bool durable = false)
    {
        var factory = new ConnectionFactory { Uri = broker };
        var connection = await factory.CreateConnectionAsync(Ct);
        var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var queue = (await channel.QueueDeclareAsync($"spy-{agency}", durable: durable, exclusive: !durable, autoDelete: !durable, cancellationToken: Ct)).QueueName;
        await channel.QueueBindAsync(queue, RecordPublisher.BatchExchange, "", cancellationToken: Ct);
        return new PublishedRecords(factory, connection, channel, queue, agency, durable);
    }

    /// <summary>Takes every message the agency published so far: one <c>kind:localId</c> per record.</summary>
    public async Task<List<string>> DrainAsync() => [.. (await DrainMessagesAsync()).SelectMany(message => message.Records)];

    /// <summary>Takes every message the agency published so far, in order: its message id and its records (<c>kind:localId</c>).</summary>
    public async Task<List<PublishedMessage>> DrainMessagesAsync()
    {
        var messages = new List<PublishedMessage>();
        if (_channel.IsClosed && _durable)
        {
            // The broker restarted under the spy: its queue is still there, its connection is not.
            await _connection.DisposeAsync();
            _connection = await _factory.CreateConnectionAsync(Ct);
            _channel = await _connection.CreateChannelAsync(cancellationToken: Ct);
        }
        while (await _channel.BasicGetAsync(_queue, autoAck: true, Ct) is { } message)
        {
            if (message.BasicProperties.UserId != _agency)
            {
                continue;
            }
            using var envelope = JsonDocument.Parse(message.Body);
            messages.Add(new PublishedMessage(envelope.RootElement.GetProperty("messageId").GetGuid(), RecordsOf(envelope.RootElement.GetProperty("message"))));
        }
        return messages;
    }

    /// <summary>The records of a batch, one <c>kind:localId</c> each.</summary>
    public static List<string> RecordsOf(JsonElement batch)
    {
        var records = new List<string>();
        foreach (var (list, kind) in new[] { ("persons", "person"), ("phones", "phone"), ("locations", "location"), ("withdrawals", "withdrawal") })
        {
            if (batch.TryGetProperty(list, out var items))
            {
                records.AddRange(items.EnumerateArray().Select(item => $"{kind}:{item.GetProperty("localId").GetString()}"));
            }
        }
        return records;
    }

    public async ValueTask DisposeAsync()
    {
        if (_durable && !_channel.IsClosed)
        {
            await _channel.QueueDeleteAsync(_queue, cancellationToken: CancellationToken.None);
        }
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>A message an agency published: its MassTransit message id and its records.</summary>
internal sealed record PublishedMessage(Guid MessageId, IReadOnlyList<string> Records);
