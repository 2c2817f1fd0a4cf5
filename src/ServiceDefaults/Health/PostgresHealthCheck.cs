using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Health;

/// <summary>Ready when a fresh round trip to PostgreSQL succeeds within the readiness timeout.</summary>
internal sealed class PostgresHealthCheck(IOptionsMonitor<ConnectionStringOptions> connectionStrings, IOptions<ReadinessOptions> options, string connectionName)
    : IHealthCheck
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(
        connectionStrings.Get(connectionName).Value)
    {
        // A dedicated, unpooled connection: a pooled one could hide an outage until it is reused.
        Pooling = false,
        Timeout = Math.Max(1, (int)Math.Ceiling(options.Value.TimeoutSeconds)),
        ApplicationName = "sharinghub-health",
    }.ConnectionString;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL is unreachable.", ex);
        }
    }
}
