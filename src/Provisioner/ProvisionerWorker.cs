using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Provisioner;

/// <summary>
/// The reconcile loop. It listens on the Gateway's change feed, so a registration or a disable is reconciled as soon
/// as it commits, and goes over every agency each <see cref="ProvisionerOptions.ResyncSeconds"/> to undo drift. An
/// agency whose reconciliation fails is reported FAILED (with the reason) and retried with doubling back-off, up to
/// <see cref="ProvisionerOptions.MaxRetrySeconds"/>; the others go on. Every reconciliation of a new generation, and
/// every one that changed or failed something, is audited.
/// </summary>
internal sealed partial class ProvisionerWorker(
    Registry registry,
    AgencyReconciler reconciler,
    [FromKeyedServices(ProvisionerExtensions.RegistryDatabase)] NpgsqlDataSource dataSource,
    IOptions<ProvisionerOptions> options,
    TimeProvider time,
    ILogger<ProvisionerWorker> logger) : BackgroundService
{
    // A connection the agency's connector was opening while the disable was reconciled (its login done, its tracking
    // not yet registered) would escape the first pass: a disabled agency is looked at again every second for a while,
    // and any connection that shows up is closed.
    private static readonly TimeSpan WatchFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WatchEvery = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, (DateTimeOffset At, int Failures)> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _watched = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await dataSource.OpenConnectionAsync(stoppingToken);
                var changed = false;
                listener.Notification += (_, e) => changed |= e.Payload.StartsWith("agency_broker_access:", StringComparison.Ordinal)
                    || e.Payload.StartsWith("agencies:", StringComparison.Ordinal);
                await using (var listen = new NpgsqlCommand($"LISTEN {Registry.Channel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                failures = 0;
                var nextResync = DateTimeOffset.MinValue;
                while (!stoppingToken.IsCancellationRequested)
                {
                    var resync = time.GetUtcNow() >= nextResync;
                    if (resync)
                    {
                        nextResync = time.GetUtcNow().AddSeconds(options.Value.ResyncSeconds);
                    }
                    changed = false;
                    await PassAsync(resync, stoppingToken);
                    var wake = _retries.Count == 0 ? nextResync : new[] { nextResync, _retries.Values.Min(r => r.At) }.Min();
                    if (_watched.Count > 0 && time.GetUtcNow() + WatchEvery < wake)
                    {
                        wake = time.GetUtcNow() + WatchEvery;
                    }
                    while (!changed && time.GetUtcNow() < wake)
                    {
                        var wait = wake - time.GetUtcNow();
                        await listener.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The database went away: wait (doubling, up to the retry ceiling) and listen again; nothing is lost,
                // since the desired state is in the table and the first pass after reconnecting is a full one.
                failures++;
                var delay = Backoff(failures);
                LogDatabaseUnavailable(logger, ex.GetType().Name, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    /// <summary>One pass: every agency (a resync) or the pending and watched ones, skipping those still backing off.</summary>
    internal async Task PassAsync(bool resync, CancellationToken cancellationToken)
    {
        foreach (var code in _watched.Where(w => w.Value <= time.GetUtcNow()).Select(w => w.Key).ToList())
        {
            _watched.Remove(code);
        }
        foreach (var agency in await registry.ReadAsync(!resync && _watched.Count == 0, cancellationToken))
        {
            if (!resync && !agency.Pending && !_watched.ContainsKey(agency.Code))
            {
                continue;
            }
            var generationMoved = agency.Generation != agency.ObservedGeneration;
            if (_retries.TryGetValue(agency.Code, out var retry) && retry.At > time.GetUtcNow() && !generationMoved)
            {
                continue;
            }
            await ReconcileAsync(agency, cancellationToken);
        }
    }

    private async Task ReconcileAsync(DesiredAgency agency, CancellationToken cancellationToken)
    {
        BrokerState state;
        IReadOnlyList<string> changes;
        try
        {
            (state, changes) = await reconciler.ReconcileAsync(agency, cancellationToken);
        }
        catch (Exception ex) when (ex is BrokerAdministrationException or HttpRequestException or NpgsqlException or IOException
            or UnauthorizedAccessException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failures = _retries.TryGetValue(agency.Code, out var retry) ? retry.Failures + 1 : 1;
            var delay = Backoff(failures);
            _retries[agency.Code] = (time.GetUtcNow() + delay, failures);
            var reason = Reason(ex);
            LogFailed(logger, agency.Code, agency.Generation, reason, delay.TotalSeconds);
            // Audited once per failure streak and per generation, not at every retry.
            var audit = failures == 1 || agency.State is not BrokerState.Failed || agency.Generation != agency.ObservedGeneration
                ? $"generation {agency.Generation}: failed ({reason}); retrying with back-off"
                : null;
            await registry.ReportAsync(agency, BrokerState.Failed, reason, audit, cancellationToken);
            return;
        }
        _retries.Remove(agency.Code);
        var fresh = agency.Generation != agency.ObservedGeneration || agency.State != state;
        if (state is BrokerState.Disabled && fresh)
        {
            _watched[agency.Code] = time.GetUtcNow() + WatchFor;
        }
        else if (state is not BrokerState.Disabled)
        {
            _watched.Remove(agency.Code);
        }
        if (fresh || changes.Count > 0)
        {
            var audit = $"generation {agency.Generation}: {state.ToString().ToUpperInvariant()}; " +
                (changes.Count > 0 ? string.Join("; ", changes) : "already in place");
            await registry.ReportAsync(agency, state, null, audit, cancellationToken);
            LogReconciled(logger, agency.Code, agency.Generation, state, changes.Count);
        }
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(options.Value.MaxRetrySeconds, Math.Pow(2, Math.Min(failures, 16))));

    // The kind of failure and the management API's status: never a body, a password or a connection string.
    private static string Reason(Exception ex) => ex switch
    {
        BrokerAdministrationException broker => broker.Message,
        HttpRequestException http => $"management API unreachable ({http.HttpRequestError})",
        NpgsqlException database => $"database: {database.SqlState ?? database.GetType().Name}",
        _ => ex.GetType().Name,
    };

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Agency {Agency} generation {Generation}: broker {State} ({Changes} change(s))")]
    private static partial void LogReconciled(ILogger logger, string agency, long generation, BrokerState state, int changes);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Agency {Agency} generation {Generation}: reconciliation failed ({Reason}); retrying in {Seconds} s")]
    private static partial void LogFailed(ILogger logger, string agency, long generation, string reason, double seconds);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "The registry database is unavailable ({Error}); listening again in {Seconds} s")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string error, double seconds);
}
