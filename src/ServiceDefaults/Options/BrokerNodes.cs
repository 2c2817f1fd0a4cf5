using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace SharingHub.ServiceDefaults.Options;

/// <summary>
/// The nodes of a RabbitMQ cluster a client may connect to (<c>Broker:Nodes</c>, <c>host:port</c> pairs separated by
/// commas). The broker connection string still gives the credentials and the virtual host; when nodes are listed the
/// client connects to one of them and moves to another when its node goes away, instead of to the connection
/// string's own host. Without the setting, the connection string's host is the only node.
/// </summary>
public static class BrokerNodes
{
    /// <summary>The configuration key of the node list.</summary>
    public const string ConfigurationKey = "Broker:Nodes";

    /// <summary>
    /// Parses a node list such as <c>127.0.0.1:5704,127.0.0.1:5705</c> (RabbitMQ.Client's
    /// <see cref="AmqpTcpEndpoint.ParseMultiple"/> after checking each entry); an empty or missing list is no nodes.
    /// </summary>
    /// <exception cref="FormatException">An entry is empty, has no host, or a port that is not 1 to 65535.</exception>
    public static IReadOnlyList<AmqpTcpEndpoint> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }
        var entries = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var entry in entries)
        {
            var colon = entry.LastIndexOf(':');
            var host = colon < 0 ? entry : entry[..colon];
            if (host.Length == 0)
            {
                throw new FormatException($"{ConfigurationKey}: '{entry}' names no host; expected host:port pairs separated by commas, e.g. 127.0.0.1:5672,127.0.0.1:5673");
            }
            if (colon >= 0 && (!int.TryParse(entry[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535))
            {
                throw new FormatException($"{ConfigurationKey}: '{entry}' has no port from 1 to 65535; expected host:port pairs separated by commas, e.g. 127.0.0.1:5672,127.0.0.1:5673");
            }
        }
        return AmqpTcpEndpoint.ParseMultiple(string.Join(',', entries));
    }

    /// <summary>
    /// Opens a connection with <paramref name="factory"/> (its URI, credentials and TLS) to one of the configured
    /// nodes, tried in turn until one answers, or, without nodes, to the factory's own host exactly as before.
    /// </summary>
    public static Task<IConnection> ConnectAsync(ConnectionFactory factory, IConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(configuration);
        var nodes = Parse(configuration[ConfigurationKey]);
        return nodes.Count == 0
            ? factory.CreateConnectionAsync(cancellationToken)
            : factory.CreateConnectionAsync(nodes.Select(n => new AmqpTcpEndpoint(n.HostName, n.Port, factory.Ssl)), cancellationToken);
    }

    /// <summary>An endpoint as MassTransit's cluster configuration takes it (<c>host:port</c>).</summary>
    public static string ToNode(AmqpTcpEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Port > 0 ? $"{endpoint.HostName}:{endpoint.Port}" : endpoint.HostName;
    }
}
