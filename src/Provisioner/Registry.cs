using Npgsql;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Provisioner;

/// <summary>An agency's registered row and the broker access it should have, as the Gateway wrote them.</summary>
internal sealed record DesiredAgency(
    string Code, string Name, AgencyKind Kind, bool AgencyDisabled, bool AccessEnabled, string UserName, long Generation,
    long ObservedGeneration, BrokerState State)
{
    /// <summary>Whether the broker should let the agency in: its access is enabled and the agency is not disabled.</summary>
    public bool Enabled => AccessEnabled && !AgencyDisabled;

    /// <summary>Whether the provisioner has not reconciled the desired state yet, or failed to.</summary>
    public bool Pending => Generation != ObservedGeneration || State is BrokerState.Failed or BrokerState.Pending;
}

/// <summary>
/// The registry in the Gateway's database, as the provisioner's own role may touch it: read the agencies and their
/// desired broker access, write the observed state and the audit rows (Database/gateway-grants.sql). Plain SQL: the
/// provisioner does not load the Gateway's model.
/// </summary>
internal sealed class Registry([FromKeyedServices(ProvisionerExtensions.RegistryDatabase)] NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The change-feed channel the Gateway's triggers notify (payload <c>table:xid</c>).</summary>
    public const string Channel = "hub_feed";

    /// <summary>The agencies whose desired state is not reconciled (or all of them, for a resync), in code order.</summary>
    public async Task<IReadOnlyList<DesiredAgency>> ReadAsync(bool pendingOnly, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT a.code, a.name, a.kind, a.disabled_at IS NOT NULL, b.enabled, b.user_name, b.generation, b.observed_generation, b.state
            FROM agency_broker_access b JOIN agencies a ON a.code = b.agency_code
            {(pendingOnly ? "WHERE b.generation <> b.observed_generation OR b.state IN ('Pending', 'Failed')" : "")}
            ORDER BY a.code
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var agencies = new List<DesiredAgency>();
        while (await reader.ReadAsync(cancellationToken))
        {
            agencies.Add(new DesiredAgency(reader.GetString(0), reader.GetString(1), Enum.Parse<AgencyKind>(reader.GetString(2)),
                reader.GetBoolean(3), reader.GetBoolean(4), reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7),
                Enum.Parse<BrokerState>(reader.GetString(8))));
        }
        return agencies;
    }

    /// <summary>
    /// Writes what the provisioner found and did for <paramref name="agency"/>'s generation (unless an administrator
    /// changed it meanwhile: the next pass reconciles the new one), with an audit row when <paramref name="audit"/> is set.
    /// </summary>
    public async Task ReportAsync(DesiredAgency agency, BrokerState state, string? detail, string? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agency);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        await using (var update = new NpgsqlCommand("""
            UPDATE agency_broker_access SET observed_generation = $2, state = $3, state_detail = $4, observed_at = $5
            WHERE agency_code = $1 AND generation = $2
            """, connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = agency.Code });
            update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = agency.Generation });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.ToString() });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)Truncate(detail, 500) ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (audit is not null)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO audit_events (occurred_at, actor, action, target, succeeded, detail) VALUES ($1, $2, $3, $4, $5, $6)
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Actor });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AuditAction });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "agency " + agency.Code });
            insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = state is not BrokerState.Failed });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Truncate(audit, 4000)! });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The audit rows' actor.</summary>
    public const string Actor = "provisioner";

    /// <summary>The audit rows' action (the Gateway's <c>AgencyAuditActions.Provision</c>).</summary>
    public const string AuditAction = "agency.broker";

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}

/// <summary>
/// Identity's agencies, as the provisioner's role may touch them (insert, and update the name, kind and whether it is
/// disabled: Database/identity-grants.sql), so that an agency registered with the Gateway is known to Identity too and
/// its people can be added, and a disabled one's people and clients get no more tokens.
/// </summary>
internal sealed class IdentityAgencies([FromKeyedServices(ProvisionerExtensions.IdentityDatabase)] NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Brings Identity's row of the agency to its registered name and kind, disabled (since now, or since it already
    /// was) when <paramref name="disabled"/>, enabled otherwise.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public async Task<bool> UpsertAsync(string code, string name, AgencyKind kind, bool disabled, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO agencies (code, name, kind, disabled_at) VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                disabled_at = CASE WHEN $4 THEN coalesce(agencies.disabled_at, now()) END
            WHERE agencies.name IS DISTINCT FROM excluded.name OR agencies.kind IS DISTINCT FROM excluded.kind
               OR (agencies.disabled_at IS NOT NULL) <> $4
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        // By name, as both hosts store it (AgencyKind's remarks).
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind.ToString() });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = disabled });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
