using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GraphQL.Execution;
using GraphQLParser.AST;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Audit;

/// <summary>
/// Writes every read of another agency's released data to the append-only <c>audit_events</c> table: who (the
/// subject, their agency and roles), what (each match and the other agency's record, and how much its release showed),
/// when, and why (the GraphQL operation that asked, and the request's trace id). An operation's reads make one row
/// (more only when their list outgrows the detail column), so a page of fifty counterparts is one row, not fifty. An
/// operation's answer waits until its reads are written: a read whose audit cannot be written is an error, never a
/// silent gap. Operations that finish while a write is under way are written together by the next one (one set-based
/// insert for all of them), so the audit costs a fraction of a round trip per operation under load and one round trip
/// when alone.
/// </summary>
internal sealed class ReadAudit([FromKeyedServices(Extensions.RequestDataSourceKey)] NpgsqlDataSource dataSource)
{
    /// <summary>The action of a released counterpart read.</summary>
    public const string CounterpartRead = "read.counterpart";

    private const int MaxOperationsPerWrite = 256;

    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _writing;

    /// <summary>
    /// Writes the reads <paramref name="hub"/> collected since the last call, and forgets them; a subscription calls
    /// this after each event it delivers. Returns once they are committed.
    /// </summary>
    /// <param name="hub">The operation's context.</param>
    /// <param name="why">The operation, e.g. <c>query Inbox</c>.</param>
    /// <param name="cancellationToken">Stops the wait (the reads are written all the same).</param>
    public Task WriteAsync(HubRequestContext hub, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hub);
        if (hub.Disclosures.Count == 0)
        {
            return Task.CompletedTask;
        }
        var reads = hub.Disclosures.ToList();
        hub.Disclosures.Clear();
        var rows = Rows(hub.Principal, why, Activity.Current?.TraceId.ToString() ?? "none", reads);
        var pending = new Pending(rows);
        _queue.Enqueue(pending);
        _ = WriteQueuedAsync();
        return pending.Written.Task.WaitAsync(cancellationToken);
    }

    // Whoever finds no write under way writes everything queued, and again while more arrived meanwhile.
    private async Task WriteQueuedAsync()
    {
        while (!_queue.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            try
            {
                var batch = new List<Pending>();
                while (batch.Count < MaxOperationsPerWrite && _queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
                try
                {
                    await InsertAsync(batch.SelectMany(p => p.Rows).ToList());
                    batch.ForEach(p => p.Written.TrySetResult());
                }
                catch (Exception ex)
                {
                    // Handed to every waiting operation, which fails with it: nothing is released unaudited.
                    batch.ForEach(p => p.Written.TrySetException(ex));
                }
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }
        }
    }

    private async Task InsertAsync(List<Row> rows)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO audit_events (occurred_at, actor, action, target, succeeded, detail)
            SELECT now(), t.actor, @action, t.target, true, t.detail FROM unnest(@actors, @targets, @details) AS t(actor, target, detail)
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("action", NpgsqlDbType.Varchar) { TypedValue = CounterpartRead });
        command.Parameters.Add(Column("actors", rows, r => r.Actor));
        command.Parameters.Add(Column("targets", rows, r => r.Target));
        command.Parameters.Add(Column("details", rows, r => r.Detail));
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>The longest detail the column holds (<c>audit_events.detail</c>, <c>varchar(4000)</c>).</summary>
    internal const int MaxDetailLength = 4000;

    /// <summary>
    /// The rows for <paramref name="reads"/>: target <c>N counterpart reads</c>, detail <c>agency A (roles); why; trace
    /// T; read: match M record R (B, release Full); …</c>, as many reads to a row as its detail holds.
    /// </summary>
    internal static List<Row> Rows(HubPrincipal reader, string why, string trace, IReadOnlyList<CounterpartView> reads)
    {
        var roles = string.Join(',', reader.Roles.Order(StringComparer.Ordinal));
        var header = Truncate(string.Create(CultureInfo.InvariantCulture, $"agency {reader.Agency} ({roles}); {why}; trace {trace}; read:"), 1000);
        var actor = Truncate(reader.Subject, 200);
        var rows = new List<Row>();
        var detail = new StringBuilder(header);
        var count = 0;
        foreach (var read in reads)
        {
            var item = string.Create(CultureInfo.InvariantCulture,
                $" match {read.MatchId} record {read.RecordId} ({read.Agency?.Code ?? "?"}, release {read.Release});");
            if (count > 0 && detail.Length + item.Length > MaxDetailLength)
            {
                rows.Add(new Row(actor, Target(count), detail.ToString()));
                detail.Clear().Append(header);
                count = 0;
            }
            detail.Append(item);
            count++;
        }
        if (count > 0)
        {
            rows.Add(new Row(actor, Target(count), detail.ToString()));
        }
        return rows;
    }

    private static string Target(int reads) =>
        string.Create(CultureInfo.InvariantCulture, $"{reads} counterpart read{(reads == 1 ? "" : "s")}");

    private static NpgsqlParameter<string[]> Column(string name, List<Row> rows, Func<Row, string> value) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = rows.Select(value).ToArray() };

    /// <summary>One audit row.</summary>
    internal sealed record Row(string Actor, string Target, string Detail);

    private sealed class Pending(List<Row> rows)
    {
        public List<Row> Rows { get; } = rows;

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>How an operation names itself in the audit: its type and name.</summary>
    public static string Describe(GraphQLOperationDefinition? operation) => operation is null
        ? "graphql (no operation)"
        : $"graphql {operation.Operation.ToString().ToLowerInvariant()} {(operation.Name is { } name ? name.StringValue : "(anonymous)")}";

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;
}

/// <summary>Writes each query's and mutation's released reads once it has run, whatever transport carried it.</summary>
internal sealed class ReadAuditListener(ReadAudit audit) : DocumentExecutionListenerBase
{
    public override Task AfterExecutionAsync(IExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserContext is HubRequestContext hub
            ? audit.WriteAsync(hub, ReadAudit.Describe(context.Operation), CancellationToken.None)
            : Task.CompletedTask;
    }
}
