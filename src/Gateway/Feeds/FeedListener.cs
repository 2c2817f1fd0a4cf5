using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Feeds;

/// <summary>
/// Holds one connection per Gateway that LISTENs on <see cref="FeedModel.Channel"/> and raises the feed's
/// <see cref="FeedSignal"/> at each notification. Any replica's commit reaches every replica's subscribers this way;
/// nothing is read from the notification but the table's name and the transaction id. When the connection drops, it
/// reconnects with back-off and wakes every feed, since notifications sent meanwhile are lost (the subscribers re-read
/// from their cursors, so nothing else is).
/// </summary>
internal sealed partial class FeedListener(
    IOptionsMonitor<ConnectionStringOptions> connectionStrings,
    FeedSignals signals,
    ILogger<FeedListener> logger) : BackgroundService
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private TimeSpan _backoff = FirstBackoff;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                Log.ListenerLost(logger, ex.GetType().Name, _backoff.TotalMilliseconds);
            }
            finally
            {
                signals.SetListening(false);
            }
            await Task.Delay(_backoff, stoppingToken);
            _backoff = TimeSpan.FromMilliseconds(Math.Min(_backoff.TotalMilliseconds * 2, 10_000));
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionStrings.Get(Extensions.DatabaseConnectionName).Value)
        {
            // Not from a pool: this connection lives as long as the Gateway, and a pooled one could carry the LISTEN
            // to another user of the pool.
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "sharinghub-gateway-feed",
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Notification += (_, e) => OnNotification(e.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {FeedModel.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }
        // Every transaction below the next xid may have committed while no one listened.
        await using (var next = new NpgsqlCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", connection))
        {
            var xmax = (long)(await next.ExecuteScalarAsync(stoppingToken))!;
            signals.SetListening(true);
            signals.RaiseAll(xmax - 1);
        }
        Log.Listening(logger, FeedModel.Channel);
        _backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await connection.WaitAsync(IdleCheck, stoppingToken))
            {
                // Nothing for a while: a round trip proves the connection is still there.
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
    }

    private void OnNotification(string payload)
    {
        var colon = payload.LastIndexOf(':');
        if (colon > 0 && long.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var tx))
        {
            signals.Raise(payload[..colon], tx);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Listening for change-feed notifications on {Channel}")]
        public static partial void Listening(ILogger logger, string channel);

        [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "The change-feed listener lost its connection ({ExceptionType}); reconnecting in {DelayMs} ms")]
        public static partial void ListenerLost(ILogger logger, string exceptionType, double delayMs);
    }
}
