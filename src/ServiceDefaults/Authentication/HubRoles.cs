namespace SharingHub.ServiceDefaults.Authentication;

/// <summary>The hub's roles, as they appear in the <see cref="HubClaimTypes.Role"/> claim.</summary>
public static class HubRoles
{
    /// <summary>A sworn or non-sworn investigator working cases.</summary>
    public const string Officer = "officer";

    /// <summary>An intelligence or crime analyst.</summary>
    public const string Analyst = "analyst";

    /// <summary>A supervisor: adjudicates matches and receives escalations.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>An administrator of the agency's hub membership.</summary>
    public const string Admin = "admin";

    /// <summary>A connector (a service, never a person) publishing the agency's records.</summary>
    public const string Connector = "connector";

    /// <summary>A victim advocate of a victim-service organization: protective alerts only, never enforcement data.</summary>
    public const string Advocate = "advocate";

    /// <summary>Roles a person can hold (everything but <see cref="Connector"/>).</summary>
    public static IReadOnlySet<string> PersonRoles { get; } =
        new HashSet<string>(StringComparer.Ordinal) { Officer, Analyst, Supervisor, Admin, Advocate };

    /// <summary>Roles that work enforcement data.</summary>
    public static IReadOnlySet<string> EnforcementRoles { get; } =
        new HashSet<string>(StringComparer.Ordinal) { Officer, Analyst, Supervisor };

    /// <summary>Every role.</summary>
    public static IReadOnlySet<string> All { get; } =
        new HashSet<string>(StringComparer.Ordinal) { Officer, Analyst, Supervisor, Admin, Connector, Advocate };
}
