using System.Diagnostics;
using System.Globalization;
using GraphQL.Execution;
using GraphQLParser.AST;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Audit;

/// <summary>
/// Writes every read of another agency's released data to the append-only <c>audit_events</c> table: who (the
/// subject, their agency and roles), what (the match and the other agency's record, and how much its release showed),
/// when, and why (the GraphQL operation that asked, and the request's trace id). One set-based insert per operation,
/// after it ran, on its own connection; a read whose audit cannot be written is an error, never a silent gap.
/// </summary>
internal sealed class ReadAudit(NpgsqlDataSource dataSource)
{
    /// <summary>The action of a released counterpart read.</summary>
    public const string CounterpartRead = "read.counterpart";

    /// <summary>
    /// Writes the reads <paramref name="hub"/> collected since the last call, and forgets them; a subscription calls
    /// this after each event it delivers.
    /// </summary>
    /// <param name="hub">The operation's context.</param>
    /// <param name="why">The operation, e.g. <c>query Inbox</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task WriteAsync(HubRequestContext hub, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hub);
        if (hub.Disclosures.Count == 0)
        {
            return;
        }
        var reads = hub.Disclosures.ToList();
        hub.Disclosures.Clear();
        var reader = hub.Principal;
        var roles = string.Join(',', reader.Roles.Order(StringComparer.Ordinal));
        var trace = Activity.Current?.TraceId.ToString() ?? "none";
        var targets = new string[reads.Count];
        var details = new string[reads.Count];
        for (var i = 0; i < reads.Count; i++)
        {
            var read = reads[i];
            targets[i] = string.Create(CultureInfo.InvariantCulture, $"match {read.MatchId} record {read.RecordId}");
            details[i] = string.Create(CultureInfo.InvariantCulture,
                $"agency {reader.Agency} ({roles}) read {read.Agency?.Code ?? "?"}'s record, release {read.Release}; {why}; trace {trace}");
        }
        await using var command = dataSource.CreateCommand("""
            INSERT INTO audit_events (occurred_at, actor, action, target, succeeded, detail)
            SELECT now(), @actor, @action, t.target, true, t.detail FROM unnest(@targets, @details) AS t(target, detail)
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("actor", NpgsqlDbType.Varchar) { TypedValue = Truncate(reader.Subject, 200) });
        command.Parameters.Add(new NpgsqlParameter<string>("action", NpgsqlDbType.Varchar) { TypedValue = CounterpartRead });
        command.Parameters.Add(new NpgsqlParameter<string[]>("targets", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = targets });
        command.Parameters.Add(new NpgsqlParameter<string[]>("details", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { TypedValue = details });
        await command.ExecuteNonQueryAsync(cancellationToken);
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
