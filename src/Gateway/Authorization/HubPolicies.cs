using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Authorization;

/// <summary>Names of the authorization policies Gateway registers.</summary>
public static class HubPolicies
{
    /// <summary>An authenticated hub principal (a valid token with a subject and an agency).</summary>
    public const string HubUser = "hub-user";

    /// <summary>May work enforcement data (an enforcement role, never an advocate).</summary>
    public const string EnforcementData = "enforcement-data";

    /// <summary>The policy that requires <paramref name="role"/>, e.g. <c>role:officer</c>.</summary>
    public static string ForRole(string role) => "role:" + role;

    /// <summary>Every role policy name.</summary>
    public static IEnumerable<string> RolePolicies => HubRoles.All.Select(ForRole);
}
