using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Health;

/// <summary>
/// Ready while an AMQP connection to the broker is open. The connection is kept between probes: opening one per
/// probe costs a full handshake, which on a loaded machine can outlast the readiness timeout, while a kept
/// connection closes at once when the broker goes away and is reopened by the next probe.
/// </summary>
internal sealed class RabbitMqHealthCheck(IOptionsMonitor<ConnectionStringOptions> connectionStrings, IOptions<ReadinessOptions> options, IConfiguration configuration,
    string connectionName)
    : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            await _gate.WaitAsync(timeout.Token);
            try
            {
                if (_connection is { IsOpen: true })
                {
                    return HealthCheckResult.Healthy();
                }
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                    _connection = null;
                }
                // Any node of the cluster (Broker:Nodes) will do.
                _connection = await BrokerNodes.ConnectAsync(CreateFactory(), configuration, timeout.Token);
                return HealthCheckResult.Healthy();
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException or TimeoutException or OperationInterruptedException or IOException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "RabbitMQ is unreachable.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }

    private ConnectionFactory CreateFactory() => new()
    {
        Uri = new Uri(connectionStrings.Get(connectionName).Value),
        RequestedConnectionTimeout = options.Value.Timeout,
        RequestedHeartbeat = TimeSpan.FromSeconds(10),
        ClientProvidedName = "sharinghub-health",
        // The probe reopens it itself; automatic recovery would report an open connection that is not.
        AutomaticRecoveryEnabled = false,
    };
}
