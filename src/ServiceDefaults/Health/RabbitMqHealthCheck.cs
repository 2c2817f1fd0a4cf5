using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Health;

/// <summary>Ready when an AMQP connection to the broker opens within the readiness timeout.</summary>
internal sealed class RabbitMqHealthCheck(IOptionsMonitor<ConnectionStringOptions> connectionStrings, IOptions<ReadinessOptions> options, string connectionName)
    : IHealthCheck
{
    private readonly Uri _uri = new(connectionStrings.Get(connectionName).Value);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory
        {
            Uri = _uri,
            RequestedConnectionTimeout = options.Value.Timeout,
            ClientProvidedName = "sharinghub-health",
            AutomaticRecoveryEnabled = false,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            await using var connection = await factory.CreateConnectionAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException or TimeoutException or OperationInterruptedException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "RabbitMQ is unreachable.", ex);
        }
    }
}
