using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// Escalates alerts left unacknowledged for <see cref="AlertOptions.EscalateAfterSeconds"/>: an alert to an agency's
/// officers raises an <see cref="AlertKind.Escalated"/> alert to that agency's supervisors; an alert already with
/// supervisors or advocates (an escalation, a protective alert) raises one to the supervisors of the hub's watch centre
/// (<see cref="AlertOptions.WatchCenterAgency"/>), where escalation ends. Each due alert is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> and escalated once (<c>escalated_at</c>, and the new alert's fingerprint), so every
/// replica may run this.
/// </summary>
internal sealed partial class AlertEscalator(
    NpgsqlDataSource dataSource,
    IOptions<AlertOptions> options,
    AlertMetrics metrics,
    ILogger<AlertEscalator> logger) : BackgroundService
{
    private const string EscalateSql = """
        WITH due AS (
            SELECT a.id, a.match_id, a.agency_code, a.audience, a.band, a.score FROM alerts a
            WHERE a.status = 'Open' AND a.escalated_at IS NULL AND a.kind <> 'Retraction'
              AND a.raised_at < now() - make_interval(secs => @after)
              AND NOT (a.agency_code IS NOT DISTINCT FROM @watch AND a.kind = 'Escalated')
            -- Oldest first, in the order of the partial index on raised_at (open, not escalated): a range of it is
            -- read. In id order the planner walked the whole table's primary key to find none due (1.3 s a tick at
            -- 2.3M alerts).
            ORDER BY a.raised_at, a.id LIMIT 500
            FOR UPDATE SKIP LOCKED
        ),
        marked AS (
            UPDATE alerts a SET escalated_at = now() FROM due WHERE a.id = due.id RETURNING a.id
        ),
        raised AS (
            INSERT INTO alerts (match_id, agency_code, audience, kind, status, fingerprint, band, score, raised_at, relates_to_id)
            SELECT due.match_id, CASE WHEN due.audience = 'Officers' THEN due.agency_code ELSE @watch END, 'Supervisors', 'Escalated', 'Open',
                   'escalates:' || due.id, due.band, due.score, now(), due.id
            FROM due
            WHERE due.audience = 'Officers' OR (@watch IS NOT NULL AND due.agency_code <> @watch)
            ORDER BY due.id
            ON CONFLICT DO NOTHING
            RETURNING id
        )
        SELECT (SELECT count(*) FROM marked)::int, (SELECT count(*) FROM raised)::int
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.EscalationCheckSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await EscalateOnceAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away: the alerts are still due at the next tick.
                Log.EscalationFailed(logger, ex.GetType().Name);
            }
        }
    }

    /// <summary>One pass; returns how many due alerts it took.</summary>
    public async Task<int> EscalateOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Escalations are delivered as soon as they are visible: committed durably, like every alert (ADR-011).
        await using (var durable = new NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, transaction))
        {
            await durable.ExecuteNonQueryAsync(cancellationToken);
        }
        int taken, raised;
        await using (var command = new NpgsqlCommand(EscalateSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<double>("after", NpgsqlDbType.Double) { TypedValue = settings.EscalateAfterSeconds });
            command.Parameters.Add(new NpgsqlParameter("watch", NpgsqlDbType.Varchar)
            {
                Value = string.IsNullOrWhiteSpace(settings.WatchCenterAgency) ? DBNull.Value : settings.WatchCenterAgency,
            });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            taken = reader.GetInt32(0);
            raised = reader.GetInt32(1);
        }
        await transaction.CommitAsync(cancellationToken);
        metrics.Escalated(raised);
        if (taken > 0)
        {
            Log.Escalated(logger, taken, raised);
        }
        return taken;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "{Taken} unacknowledged alerts escalated ({Raised} escalation alerts raised)")]
        public static partial void Escalated(ILogger logger, int taken, int raised);

        [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Alert escalation failed ({ExceptionType}); retrying at the next tick")]
        public static partial void EscalationFailed(ILogger logger, string exceptionType);
    }
}
