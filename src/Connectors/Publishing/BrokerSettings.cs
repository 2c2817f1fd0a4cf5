using RabbitMQ.Client;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Publishing;

/// <summary>Where the hub's broker is and the agency's credentials on it. The user name is the agency code.</summary>
internal sealed record BrokerSettings(Uri Url, string Username, string Password)
{
    /// <summary>How long one publish may wait for the broker's confirm before it is retried.</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between retries while the broker is unavailable.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The nodes of the hub's broker cluster (<c>--broker-nodes</c>); empty: <see cref="Url"/>'s host is the only node.
    /// The connector connects to one of them and moves to another when its node goes away.
    /// </summary>
    public IReadOnlyList<AmqpTcpEndpoint> Nodes { get; init; } = [];

    /// <summary>
    /// Opens a connection with <paramref name="factory"/> (URL, credentials, TLS) to one of <see cref="Nodes"/>, tried
    /// in turn until one answers, or, without nodes, to the factory's own host.
    /// </summary>
    public Task<IConnection> ConnectAsync(ConnectionFactory factory, CancellationToken cancellationToken) => Nodes.Count == 0
        ? factory.CreateConnectionAsync(cancellationToken)
        : factory.CreateConnectionAsync(Nodes.Select(n => new AmqpTcpEndpoint(n.HostName, n.Port, factory.Ssl)), cancellationToken);

    /// <summary>
    /// Parses <c>host:port,host:port</c> (RabbitMQ.Client's <see cref="AmqpTcpEndpoint.ParseMultiple"/>); null when
    /// an entry has no host or a port that is not 1 to 65535.
    /// </summary>
    public static IReadOnlyList<AmqpTcpEndpoint>? ParseNodes(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }
        var entries = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var entry in entries)
        {
            var colon = entry.LastIndexOf(':');
            if ((colon < 0 ? entry : entry[..colon]).Length == 0 || (colon >= 0 && !(int.TryParse(entry[(colon + 1)..],
                System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)))
            {
                return null;
            }
        }
        return AmqpTcpEndpoint.ParseMultiple(string.Join(',', entries));
    }

    public override string ToString() => $"{Username}@{Url.Host}:{Url.Port}{Url.AbsolutePath}";
}

/// <summary>The broker refused the agency for good (credentials, permissions, hub topology): retrying cannot help.</summary>
internal sealed class BrokerRefusedException : Exception
{
    public BrokerRefusedException(string message) : base(message) { }

    public BrokerRefusedException(string message, Exception inner) : base(message, inner) { }

    public BrokerRefusedException() { }
}

/// <summary>Hears about the publisher's waits, so a CLI can print them and a worker can log them.</summary>
internal interface IPublishStatus
{
    void Retrying(string what, string reason, TimeSpan delay);

    void Recovered(string what);
}

/// <summary>Publishes one batch and returns once the broker confirmed it (<see cref="RecordPublisher"/>).</summary>
internal interface IBatchPublisher
{
    Task PublishAsync(RecordBatchPublished batch, CancellationToken cancellationToken);
}
