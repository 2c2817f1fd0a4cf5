using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Feeds;
using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// Publishes each committed alert to its agency's alert queue (ADR-011). The <c>alerts</c> table is the outbox, read
/// as a change feed is (<see cref="Feeds.FeedReader"/>): in (writing transaction, id) order after the relay's cursor
/// (<see cref="AlertRelayCursor"/>), only alerts of transactions below the oldest one still running, so none can commit
/// behind the cursor. The relay publishes each (message id = alert id, mandatory, persistent), waits for the broker's
/// confirms, then moves the cursor past them in the same transaction: delivering writes one row a pass, nothing to the
/// alerts. A Gateway that stops between the alert's commit and its delivery delivers it after its restart; one that
/// stops after the confirm and before its commit publishes it again, under the same message id, which the connector
/// drops. One replica relays at a time (a transaction-level advisory lock), so an agency's alerts reach its queue in
/// the order they were committed.
/// </summary>
internal sealed partial class AlertRelay(
    IServiceScopeFactory scopes,
    IOptionsMonitor<ConnectionStringOptions> connectionStrings,
    IConfiguration configuration,
    IOptions<AlertOptions> options,
    FeedSignals signals,
    AgencyDirectory directory,
    ReadAudit audit,
    AlertMetrics metrics,
    TimeProvider time,
    ILogger<AlertRelay> logger) : BackgroundService
{
    /// <summary>The advisory lock of the relay (any constant; "alerts" in ASCII).</summary>
    private const long RelayLock = 0x616c65727473;

    private const int BatchSize = 200;

    private static readonly TimeSpan HeldBackFirstRetry = TimeSpan.FromMilliseconds(20);

    /// <summary>Whether the last pass left alerts behind a running transaction (a notified transaction not yet below its horizon).</summary>
    private bool HeldBack { get; set; }

    private static readonly CreateChannelOptions Confirms = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.RelayEnabled)
        {
            return;
        }
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayWhileConnectedAsync(settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or RabbitMQClientException or OperationInterruptedException or PublishException
                or IOException or TimeoutException or InvalidOperationException or AlreadyClosedException)
            {
                // The broker or the database is away: the alerts stay undelivered in the table until the next attempt.
                Log.RelayFailed(logger, ex.GetType().Name, backoff.TotalMilliseconds);
            }
            _declared.Clear();
            await Task.Delay(backoff, stoppingToken);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 10_000));
        }
    }

    private async Task RelayWhileConnectedAsync(AlertOptions settings, CancellationToken stoppingToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(connectionStrings.Get(Extensions.BrokerConnectionName).Value),
            ClientProvidedName = "sharinghub-gateway-alert-relay",
            AutomaticRecoveryEnabled = false,
        };
        // Any node of the cluster (Broker:Nodes) will do: the next attempt after a failure tries them all again.
        await using var connection = await BrokerNodes.ConnectAsync(factory, configuration, stoppingToken);
        await using var channel = await connection.CreateChannelAsync(Confirms, stoppingToken);
        await AlertQueueTopology.DeclareSharedAsync(channel, stoppingToken);
        var signal = signals.For("alerts");
        var poll = TimeSpan.FromSeconds(settings.RelayPollSeconds);
        var heldBack = HeldBackFirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before reading, so a commit between the read and the wait still wakes the relay.
            var woken = signal.Next;
            var relayed = await RelayOnceAsync(channel, stoppingToken);
            if (relayed >= BatchSize)
            {
                continue;
            }
            if (HeldBack)
            {
                // An alert committed behind a transaction that still runs (which may notify nothing): look again soon,
                // and sooner while passes still deliver.
                if (relayed > 0)
                {
                    heldBack = HeldBackFirstRetry;
                }
                await Task.Delay(heldBack, stoppingToken);
                heldBack = TimeSpan.FromMilliseconds(Math.Min(heldBack.TotalMilliseconds * 2, 1000));
                continue;
            }
            heldBack = HeldBackFirstRetry;
            await Task.WhenAny(woken, Task.Delay(poll, stoppingToken));
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>One pass: publishes up to <see cref="BatchSize"/> undelivered alerts; returns how many it delivered.</summary>
    public async Task<int> RelayOnceAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({RelayLock}) AS \"Value\"").SingleAsync(cancellationToken);
        if (!locked)
        {
            // Another replica relays now; this one looks again at the next notification or poll.
            return 0;
        }
        var cursor = await db.AlertRelayCursors.AsNoTracking().SingleAsync(c => c.Id == 1, cancellationToken);
        // Taken before the read: every transaction below it has ended, so the read's later snapshot sees all their alerts.
        var horizon = await FeedReader.HorizonAsync(db, cancellationToken);
        var (tx, id) = (cursor.Tx, cursor.AlertId);
        var pending = await db.Alerts.AsNoTracking()
            .Where(a => a.Tx > tx || (a.Tx == tx && a.Id > id))
            .Where(a => a.Tx < horizon)
            .OrderBy(a => a.Tx).ThenBy(a => a.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        // A transaction that notified alerts and is not below the horizon yet: its alerts wait for a later pass, which
        // must not wait for a notification it may already have sent (whether or not this pass sends anything).
        HeldBack = pending.Count < BatchSize && signals.For("alerts").LatestTx >= horizon;
        if (pending.Count == 0)
        {
            return 0;
        }

        var agencies = await directory.GetAsync(db, cancellationToken);
        foreach (var code in agencies.Keys.Concat(pending.Select(a => a.AgencyCode)).Distinct(StringComparer.Ordinal).Where(code => !_declared.Contains(code)).ToList())
        {
            await AlertQueueTopology.DeclareAgencyAsync(channel, code, cancellationToken);
            _declared.Add(code);
        }

        // The pass's messages are composed first, from one read of every alert's match and the records it shows,
        // primed into each audience's context: composing then reads nothing more. Each context's releases are audited
        // in one row before anything is published (dissemination to the agency's queue is audited like a read: what
        // was released, to whom, and why).
        var contexts = new Dictionary<(string, AlertAudience), HubRequestContext>();
        HubRequestContext ContextOf(Alert alert)
        {
            if (!contexts.TryGetValue((alert.AgencyCode, alert.Audience), out var hub))
            {
                hub = new HubRequestContext(AlertVisibility.AudiencePrincipal(alert.AgencyCode, alert.Audience), db, directory);
                contexts.Add((alert.AgencyCode, alert.Audience), hub);
            }
            return hub;
        }
        await PrimeAsync(db, pending, ContextOf, cancellationToken);
        var messages = new List<(AlertRaised Message, DateTimeOffset? Arrived)>(pending.Count);
        foreach (var alert in pending)
        {
            messages.Add(await AlertMessages.ComposeAsync(ContextOf(alert), alert, cancellationToken));
        }
        foreach (var hub in contexts.Values)
        {
            await audit.WriteAsync(hub, "alert queue relay", cancellationToken);
        }

        // Published back to back, then the confirms awaited in order: one round trip to the broker for the pass, not one
        // per alert. The broker keeps a channel's order, so an agency's queue still gets its alerts in id order.
        var publishes = new List<(Activity? Activity, Task Confirmed)>(pending.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            publishes.Add(Publish(channel, pending[i], messages[i].Message, cancellationToken));
        }
        var arrivals = new List<DateTimeOffset?>(pending.Count);
        try
        {
            for (var i = 0; i < publishes.Count; i++)
            {
                var (activity, confirmed) = publishes[i];
                try
                {
                    // Mandatory with confirm tracking: completes once the broker has it on the agency's queue, and
                    // throws when the queue is missing (returned) or the broker refused it (nack).
                    await confirmed;
                }
                catch (PublishException ex) when (ex.IsReturn)
                {
                    // The agency's queue vanished (deleted by an operator): declared again at the next pass. This
                    // alert and those after it stay undelivered; any of them the broker took is published again then,
                    // under the same message id, which the connector drops.
                    _declared.Remove(pending[i].AgencyCode);
                    activity?.SetTag(Telemetry.Tags.Outcome, "returned");
                    activity?.SetStatus(ActivityStatusCode.Error, "returned");
                    Log.Returned(logger, pending[i].Id, pending[i].AgencyCode);
                    break;
                }
                catch (Exception ex) when (activity.Failed(ex))
                {
                    throw;
                }
                activity?.SetTag(Telemetry.Tags.Outcome, "confirmed");
                activity?.Stop();
                arrivals.Add(messages[i].Arrived);
            }
        }
        finally
        {
            // A span still open ends with the pass: its alert's outcome was not awaited (a return or a failure before it).
            foreach (var (activity, _) in publishes)
            {
                activity?.Dispose();
            }
        }

        var delivered = pending.Take(arrivals.Count).Select(a => a.Id).ToList();
        if (delivered.Count > 0)
        {
            var last = pending[delivered.Count - 1];
            await db.AlertRelayCursors.Where(c => c.Id == 1)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Tx, last.Tx).SetProperty(c => c.AlertId, last.Id), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        var confirmedAt = time.GetUtcNow();
        foreach (var arrived in arrivals)
        {
            metrics.Delivered(arrived is { } at ? confirmedAt - at : null);
        }
        if (delivered.Count > 0)
        {
            Log.Delivered(logger, delivered.Count, delivered[0], delivered[^1]);
        }
        return delivered.Count;
    }

    /// <summary>
    /// Reads the matches of <paramref name="alerts"/> and every record they show (both sides and their subjects) in two
    /// statements, and primes them into each alert's context.
    /// </summary>
    private static async Task PrimeAsync(HubDbContext db, List<Alert> alerts, Func<Alert, HubRequestContext> contextOf, CancellationToken cancellationToken)
    {
        var matchIds = alerts.Select(a => a.MatchId).Distinct().ToList();
        var matches = await db.Matches.AsNoTracking().Where(m => matchIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancellationToken);
        var recordIds = matches.Values.SelectMany(Shown).Distinct().ToList();
        var records = await db.Records.AsNoTracking().Where(r => recordIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        foreach (var alert in alerts)
        {
            var hub = contextOf(alert);
            var match = matches.GetValueOrDefault(alert.MatchId);
            hub.Matches.Prime(alert.MatchId, match);
            foreach (var id in match is null ? [] : Shown(match))
            {
                hub.Records.Prime(id, records.GetValueOrDefault(id));
            }
        }

        static IEnumerable<long> Shown(Deconfliction.Match match) =>
            new[] { match.RecordAId, match.RecordBId, match.SubjectAId, match.SubjectBId }.OfType<long>();
    }

    /// <summary>
    /// Starts publishing <paramref name="alert"/>'s message to its agency's queue, under a span that continues the
    /// trace that raised it (the stored traceparent; the pass around it is a poll, not a trace, ADR-013). The span is
    /// not the ambient one afterwards: each alert's is a sibling, ended by the caller once the confirm is in.
    /// </summary>
    private static (Activity? Activity, Task Confirmed) Publish(IChannel channel, Alert alert, AlertRaised message, CancellationToken cancellationToken)
    {
        var ambient = Activity.Current;
        var activity = Telemetry.ActivitySource.StartActivity("relay alert", ActivityKind.Producer, Telemetry.ParseTraceParent(alert.TraceParent));
        try
        {
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(Telemetry.Tags.AlertId, alert.Id);
                activity.SetTag(Telemetry.Tags.AlertKind, alert.Kind.ToString());
                activity.SetTag(Telemetry.Tags.Agency, alert.AgencyCode);
                activity.SetTag("messaging.system", "rabbitmq");
                activity.SetTag("messaging.operation.type", "send");
                activity.SetTag("messaging.destination.name", AlertQueueTopology.Exchange);
                activity.SetTag("messaging.message.id", alert.Id.ToString(CultureInfo.InvariantCulture));
            }
            var properties = new BasicProperties
            {
                MessageId = message.AlertId,
                ContentType = "application/json",
                Type = nameof(AlertRaised),
                DeliveryMode = DeliveryModes.Persistent,
                Timestamp = new AmqpTimestamp(alert.RaisedAt.ToUnixTimeSeconds()),
                Headers = AlertQueueTopology.TraceHeaders(activity),
            };
            var body = JsonSerializer.SerializeToUtf8Bytes(message, AlertMessages.Json);
            return (activity, channel.BasicPublishAsync(AlertQueueTopology.Exchange, alert.AgencyCode, mandatory: true, properties, body, cancellationToken).AsTask());
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4310, Level = LogLevel.Debug, Message = "{Count} alerts delivered to the agencies' queues (ids {First}..{Last})")]
        public static partial void Delivered(ILogger logger, int count, long first, long last);

        [LoggerMessage(EventId = 4311, Level = LogLevel.Warning, Message = "Alert relay failed ({ExceptionType}); retrying in {DelayMs} ms")]
        public static partial void RelayFailed(ILogger logger, string exceptionType, double delayMs);

        [LoggerMessage(EventId = 4312, Level = LogLevel.Warning, Message = "Alert {AlertId} returned by the broker: agency {Agency} has no alert queue; declaring it again")]
        public static partial void Returned(ILogger logger, long alertId, string agency);
    }
}
