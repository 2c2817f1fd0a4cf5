using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Connectors.Telemetry;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Publishing;

/// <summary>
/// Publishes record batches to the hub over RabbitMQ as the agency's own broker user.
/// Every publish carries the AMQP <c>user_id</c> (the broker checks it against the connection's user, and the
/// hub takes the agency from it), is mandatory (an unroutable message is returned, not dropped) and waits for
/// the broker's publisher confirm. While the broker is unavailable it retries with back-off and never gives
/// up on a batch; only a refusal that retrying cannot fix ends the run.
/// </summary>
internal sealed class RecordPublisher : IBatchPublisher, IAsyncDisposable
{
    /// <summary>The exchange the hub declares for <see cref="RecordBatchPublished"/> (MassTransit's entity name).</summary>
    public static readonly string BatchExchange = $"{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}";

    private readonly IBusControl _bus;
    private readonly BrokerSettings _settings;
    private readonly IPublishStatus _status;

    private RecordPublisher(IBusControl bus, BrokerSettings settings, IPublishStatus status)
    {
        _bus = bus;
        _settings = settings;
        _status = status;
    }

    public static async Task<RecordPublisher> StartAsync(BrokerSettings settings, IPublishStatus status, CancellationToken cancellationToken)
    {
        await PreflightAsync(settings, status, cancellationToken);

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(settings.Url, $"sharinghub-connector-{settings.Username}", h =>
            {
                h.Username(settings.Username);
                h.Password(settings.Password);
                h.PublisherConfirmation = true;
                // A cluster (--broker-nodes): MassTransit connects to one node and moves to the next when it goes away.
                if (settings.Nodes.Count > 0)
                {
                    h.UseCluster(cluster =>
                    {
                        foreach (var node in settings.Nodes)
                        {
                            cluster.Node(node.Port > 0 ? $"{node.HostName}:{node.Port}" : node.HostName);
                        }
                    });
                }
            });
            // Compact JSON: MassTransit indents by default, which doubles the bytes of a batch.
            cfg.ConfigureJsonSerializerOptions(options =>
            {
                options.WriteIndented = false;
                return options;
            });
            // The agency's user may not configure anything: publish to the exchanges the hub declared.
            cfg.Publish<RecordBatchPublished>(p => p.Exclude = true);
            cfg.Publish<PersonRecordPublished>(p => p.Exclude = true);
            cfg.Publish<PhoneRecordPublished>(p => p.Exclude = true);
            cfg.Publish<LocationRecordPublished>(p => p.Exclude = true);
            cfg.Publish<RecordWithdrawn>(p => p.Exclude = true);
        });

        await RetryAsync("connect", settings, status, async ct =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.ConfirmTimeout);
            await bus.StartAsync(timeout.Token);
        }, cancellationToken);
        return new RecordPublisher(bus, settings, status);
    }

    /// <summary>Publishes one batch and returns once the broker confirmed it.</summary>
    public async Task PublishAsync(RecordBatchPublished batch, CancellationToken cancellationToken)
    {
        // One trace per batch (ADR-013): MassTransit's send spans (one per attempt) are its children, and the hub's
        // consume, store, match and alert relay continue it.
        using var activity = ConnectorTelemetry.Source.StartActivity("publish batch");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ConnectorTelemetry.Tags.Agency, _settings.Username);
            activity.SetTag(ConnectorTelemetry.Tags.Records,
                (batch.Persons?.Count ?? 0) + (batch.Phones?.Count ?? 0) + (batch.Locations?.Count ?? 0) + (batch.Withdrawals?.Count ?? 0));
        }
        await RetryAsync("publish", _settings, _status, async ct =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_settings.ConfirmTimeout);
            try
            {
                await _bus.Publish(batch, context =>
                {
                    context.Mandatory = true;
                    context.Durable = true;
                    if (!context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                    {
                        throw new InvalidOperationException("The bus is not a RabbitMQ bus.");
                    }
                    rabbit.BasicProperties.UserId = _settings.Username;
                }, timeout.Token);
            }
            catch (MessageReturnedException ex)
            {
                throw new BrokerRefusedException(
                    $"the broker returned the batch: exchange {BatchExchange} routes to no queue. Is the hub's Gateway deployed?", ex);
            }
        }, cancellationToken);
        activity?.SetTag(ConnectorTelemetry.Tags.Outcome, "confirmed");
    }

    private static async Task RetryAsync(string what, BrokerSettings settings, IPublishStatus status, Func<CancellationToken, Task> action,
        CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var failed = false;
        while (true)
        {
            try
            {
                await action(cancellationToken);
                if (failed)
                {
                    status.Recovered(what);
                }
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (BrokerRefusedException)
            {
                throw;
            }
            catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or RabbitMQClientException
                or OperationInterruptedException or IOException or TimeoutException)
            {
                failed = true;
                var reason = ex is OperationCanceledException ? $"no confirm within {settings.ConfirmTimeout.TotalSeconds:0}s" : ex.Message;
                status.Retrying(what, reason, delay);
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Checks, before publishing anything, what retrying cannot fix: the agency's credentials and the hub's
    /// exchange. An unreachable broker is waited for.
    /// </summary>
    private static Task PreflightAsync(BrokerSettings settings, IPublishStatus status, CancellationToken cancellationToken) =>
        RetryAsync("connect", settings, status, async ct =>
        {
            var factory = new ConnectionFactory
            {
                Uri = settings.Url,
                UserName = settings.Username,
                Password = settings.Password,
                ClientProvidedName = $"sharinghub-connector-{settings.Username}-preflight",
                AutomaticRecoveryEnabled = false,
            };
            IConnection connection;
            try
            {
                connection = await settings.ConnectAsync(factory, ct);
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
            await using (connection)
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                try
                {
                    await channel.ExchangeDeclarePassiveAsync(BatchExchange, ct);
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                {
                    throw new BrokerRefusedException(
                        $"the hub's exchange {BatchExchange} does not exist on {settings.Url.Host}:{settings.Url.Port}: start the hub's Gateway first", ex);
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
                {
                    throw new BrokerRefusedException($"{settings.Username} may not use the exchange {BatchExchange}", ex);
                }
            }
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _bus.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping only waits for the connection to close; every batch has already been confirmed or not.
        }
    }
}
