using Npgsql;
using NpgsqlTypes;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Session-level PostgreSQL advisory locks, by which one Gateway replica is elected for a background job (the
/// name-count fold, the re-key). Held by the connection until released or closed.
/// </summary>
internal static class AdvisoryLock
{
    /// <summary>Takes the lock <paramref name="key"/> if no other session holds it; false when one does.</summary>
    public static Task<bool> TryAcquireAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken) =>
        RunAsync(connection, "SELECT pg_try_advisory_lock(@key)", key, cancellationToken);

    /// <summary>
    /// Releases the lock <paramref name="key"/> this connection holds (even while the job is being cancelled). A
    /// connection the database dropped has nothing to release: its session's locks ended with it, and trying would
    /// throw from a <c>finally</c> over the error that broke it (seen when PostgreSQL stopped: the host went down).
    /// </summary>
    /// <remarks>
    /// The matching pool hands connections back without Npgsql's reset (which would unlock everything, at the cost of
    /// seven statements before every reuse). So a release that fails must not leave its lock on a pooled session: the
    /// pool is cleared, which closes this connection when it is returned instead of lending it out again.
    /// </remarks>
    public static async Task ReleaseAsync(NpgsqlConnection connection, long key)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await RunAsync(connection, "SELECT pg_advisory_unlock(@key)", key, CancellationToken.None);
        }
        catch
        {
            NpgsqlConnection.ClearPool(connection);
            throw;
        }
    }

    private static async Task<bool> RunAsync(NpgsqlConnection connection, string sql, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("key", NpgsqlDbType.Bigint) { TypedValue = key });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
