namespace SharingHub.Identity.Audit;

/// <summary>
/// One row of the append-only audit log. The database refuses UPDATE, DELETE and TRUNCATE on the table
/// (see the migration), so a row, once written, stays as written.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who acted: a user name, a subject, or a client id for client credentials.</summary>
    public string? Actor { get; set; }

    /// <summary>The OAuth client involved, if any.</summary>
    public string? ClientId { get; set; }

    /// <summary>What happened (see <see cref="AuditEvents"/>).</summary>
    public string Event { get; set; } = "";

    public AuditOutcome Outcome { get; set; }

    /// <summary>Remote IP address of the request.</summary>
    public string? SourceAddress { get; set; }

    /// <summary>Reason or identifiers only; never record contents, never secrets.</summary>
    public string? Detail { get; set; }
}

/// <summary>Whether the audited action succeeded.</summary>
public enum AuditOutcome
{
    Success,
    Failure,
}

/// <summary>Names of audited events.</summary>
public static class AuditEvents
{
    public const string LocalLogon = "logon.local";
    public const string FederatedLogon = "logon.federated";
    public const string Lockout = "account.lockout";
    public const string TokenIssued = "token.issued";
    public const string TokenRefused = "token.refused";
    public const string AgencyCreated = "admin.agency.created";
    public const string AgencyUpdated = "admin.agency.updated";
    public const string ClientCreated = "admin.client.created";
    public const string ClientUpdated = "admin.client.updated";
    public const string ScopeCreated = "admin.scope.created";
    public const string UserCreated = "admin.user.created";
    public const string UserUpdated = "admin.user.updated";
    public const string KeysRotated = "admin.keys.rotated";
}
