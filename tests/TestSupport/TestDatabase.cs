using Npgsql;

namespace SharingHub.TestSupport;

/// <summary>
/// A PostgreSQL database of its own, created from the template that <c>./hub infra</c> prepares (with the hub's
/// extensions) and dropped on dispose, so tests cannot leak into each other.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>A connection string to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a fresh database from <paramref name="infrastructure"/>'s template.</summary>
    public static async Task<TestDatabase> CreateAsync(TestInfrastructure infrastructure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infrastructure);
        var name = $"test_{Guid.NewGuid():N}";
        await using (var admin = await OpenAdminAsync(infrastructure.PostgresAdminConnectionString, cancellationToken))
        {
            // Identifiers cannot be parameters; both are ours (a GUID and the template name from ./hub).
            await using var create = new NpgsqlCommand(
                $"CREATE DATABASE \"{name}\" TEMPLATE \"{infrastructure.PostgresTemplate}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(infrastructure.PostgresAdminConnectionString)
        {
            Database = name,
        }.ConnectionString;
        return new TestDatabase(infrastructure.PostgresAdminConnectionString, name, connectionString);
    }

    /// <summary>Opens a connection to this database.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Whether a database of this name exists on the server.</summary>
    public static async Task<bool> ExistsAsync(TestInfrastructure infrastructure, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infrastructure);
        await using var admin = await OpenAdminAsync(infrastructure.PostgresAdminConnectionString, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", admin);
        command.Parameters.AddWithValue(name);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = await OpenAdminAsync(_adminConnectionString, CancellationToken.None);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (NpgsqlException ex)
        {
            await connection.DisposeAsync();
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            throw new InfrastructureUnavailableException(
                $"PostgreSQL at {builder.Host}:{builder.Port} is unreachable ({ex.Message}). {TestInfrastructure.RunHubInfra}", ex);
        }
    }
}
