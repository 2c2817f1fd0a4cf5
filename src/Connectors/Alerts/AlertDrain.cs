using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Telemetry;

namespace SharingHub.Connectors.Alerts;

/// <summary>How a drain runs.</summary>
internal sealed record AlertDrainOptions
{
    /// <summary>The hub's broker and the agency's credentials (the user name is the agency code).</summary>
    public required BrokerSettings Broker { get; init; }

    /// <summary>Where the ids of delivered alerts are kept (<see cref="SeenAlerts"/>).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Stop once the queue is empty, instead of waiting for more.</summary>
    public bool Once { get; init; }

    /// <summary>How long to wait before looking again when the queue is empty.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between attempts while the sink or the broker is unavailable.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Drains the agency's alert queue (<c>sharinghub-alerts.&lt;CODE&gt;</c>) into a sink, one alert at a time and in
/// queue order: an alert is acknowledged to the broker only after the sink took it and its id was recorded, so a
/// crash at any point loses nothing; an alert whose id was recorded already is acknowledged without being handed over
/// again. While the sink is down the alert stays unacknowledged and is tried again with back-off, and the alerts behind
/// it wait. The agency's broker user only reads its queue: it declares nothing.
/// </summary>
internal sealed partial class AlertDrain(IAlertSink sink, AlertDrainOptions options, ILogger logger)
{
    /// <summary>The agency's alert queue (the hub's relay declares it).</summary>
    public static string QueueOf(string agency) => $"sharinghub-alerts.{agency}";

    /// <summary>Alerts handed to the sink in this run.</summary>
    public long Delivered { get; private set; }

    /// <summary>Repeats dropped in this run (already handed over earlier).</summary>
    public long Duplicates { get; private set; }

    /// <summary>
    /// Runs until cancelled (or, with <see cref="AlertDrainOptions.Once"/>, until the queue is empty). Throws
    /// <see cref="BrokerRefusedException"/> or <see cref="SinkRefusedException"/> when retrying cannot help.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var broker = options.Broker;
        var queue = QueueOf(broker.Username);
        using var seen = SeenAlerts.Open(options.StateDirectory, broker.Username);
        var delay = TimeSpan.FromMilliseconds(250);
        Log.Draining(logger, queue, sink.Name);
        while (true)
        {
            try
            {
                await using var connection = await ConnectAsync(broker, cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                delay = TimeSpan.FromMilliseconds(250);
                while (true)
                {
                    var got = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                    if (got is null)
                    {
                        if (options.Once)
                        {
                            return;
                        }
                        await Task.Delay(options.Poll, cancellationToken);
                        continue;
                    }
                    var id = got.BasicProperties.MessageId;
                    if (string.IsNullOrEmpty(id))
                    {
                        // Not from the hub's relay, which always names the alert: set aside (dead-lettered), not guessed at.
                        Log.NoMessageId(logger, got.DeliveryTag);
                        await channel.BasicRejectAsync(got.DeliveryTag, requeue: false, cancellationToken);
                        continue;
                    }
                    // The hub's relay span is the parent: the alert's trace ends with its hand-over to the agency's system.
                    using (var activity = ConnectorTelemetry.Source.StartActivity("deliver alert", ActivityKind.Consumer,
                        ConnectorTelemetry.ParentOf(got.BasicProperties.Headers)))
                    {
                        activity?.SetTag(ConnectorTelemetry.Tags.Agency, broker.Username);
                        activity?.SetTag(ConnectorTelemetry.Tags.AlertId, id);
                        if (seen.Contains(id))
                        {
                            Duplicates++;
                            activity?.SetTag(ConnectorTelemetry.Tags.Outcome, "duplicate");
                            Log.Duplicate(logger, id);
                        }
                        else
                        {
                            await DeliverAsync(id, got.Body.ToArray(), cancellationToken);
                            seen.Add(id);
                            Delivered++;
                            activity?.SetTag(ConnectorTelemetry.Tags.Outcome, "delivered");
                            Log.DeliveredAlert(logger, id, sink.Name);
                        }
                    }
                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
                }
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
            {
                throw new BrokerRefusedException($"{broker.Username} may not read the alert queue {queue}", ex);
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                throw new BrokerRefusedException(
                    $"the alert queue {queue} does not exist on {broker.Url.Host}:{broker.Url.Port}: is the agency registered and the hub's Gateway running?", ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is RabbitMQClientException or OperationInterruptedException or AlreadyClosedException or IOException
                or TimeoutException or OperationCanceledException)
            {
                // The alert in hand (if any) was not acknowledged: the broker delivers it again, and its id drops a repeat.
                Log.BrokerRetrying(logger, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task DeliverAsync(string id, byte[] json, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        var failed = false;
        while (true)
        {
            try
            {
                await sink.DeliverAsync(id, json, cancellationToken);
                if (failed)
                {
                    Log.SinkRecovered(logger, sink.Name);
                }
                return;
            }
            catch (SinkUnavailableException ex)
            {
                failed = true;
                Log.SinkWaiting(logger, ex.Message, id, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
            }
        }
    }

    private static async Task<IConnection> ConnectAsync(BrokerSettings settings, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = settings.Url,
            UserName = settings.Username,
            Password = settings.Password,
            ClientProvidedName = $"sharinghub-connector-{settings.Username}-alerts",
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            return await settings.ConnectAsync(factory, cancellationToken);
        }
        catch (BrokerUnreachableException ex) when (ex.InnerException is AuthenticationFailureException
            || ex.InnerException?.InnerException is AuthenticationFailureException)
        {
            throw new BrokerRefusedException($"the broker refused the credentials of {settings.Username}", ex);
        }
        catch (BrokerUnreachableException ex) when (ex.InnerException is OperationInterruptedException { ShutdownReason.ReplyCode: 530 })
        {
            throw new BrokerRefusedException($"{settings.Username} may not use the virtual host {settings.Url.AbsolutePath}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "draining {Queue} to {Sink}")]
        public static partial void Draining(ILogger logger, string queue, string sink);

        [LoggerMessage(Level = LogLevel.Information, Message = "alert {AlertId} delivered to {Sink}")]
        public static partial void DeliveredAlert(ILogger logger, string alertId, string sink);

        [LoggerMessage(Level = LogLevel.Information, Message = "alert {AlertId} was delivered before; dropped the repeat")]
        public static partial void Duplicate(ILogger logger, string alertId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "a message without an alert id (delivery {Tag}) was set aside")]
        public static partial void NoMessageId(ILogger logger, ulong tag);

        [LoggerMessage(Level = LogLevel.Warning, Message = "sink unavailable ({Reason}); alert {AlertId} waits, retrying in {Seconds}s")]
        public static partial void SinkWaiting(ILogger logger, string reason, string alertId, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Sink} is back")]
        public static partial void SinkRecovered(ILogger logger, string sink);

        [LoggerMessage(Level = LogLevel.Warning, Message = "broker unavailable ({Reason}); retrying in {Seconds}s")]
        public static partial void BrokerRetrying(ILogger logger, string reason, double seconds);
    }
}
