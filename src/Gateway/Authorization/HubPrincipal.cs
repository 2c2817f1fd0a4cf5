using System.Security.Claims;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Authorization;

/// <summary>
/// The authenticated caller in hub terms: who, for which agency, in which roles, with which attributes.
/// Built only from a validated access token; the agency is whatever Identity put there.
/// </summary>
public sealed record HubPrincipal(
    string Subject,
    string Agency,
    IReadOnlySet<string> Roles,
    bool Leo,
    bool Cfr28,
    string? ClientId,
    string? Name)
{
    /// <summary>Whether the principal holds <paramref name="role"/>.</summary>
    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>
    /// Whether the principal may work enforcement data: an enforcement role, and never an advocate,
    /// whatever else it holds.
    /// </summary>
    public bool MayReachEnforcementData =>
        !Roles.Contains(HubRoles.Advocate) && Roles.Overlaps(HubRoles.EnforcementRoles);

    /// <summary>Builds the principal from validated token claims; <see langword="null"/> when a required claim is missing.</summary>
    public static HubPrincipal? From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var subject = user.FindFirst(HubClaimTypes.Subject)?.Value;
        var agency = user.FindFirst(HubClaimTypes.Agency)?.Value;
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(agency))
        {
            return null;
        }
        var roles = user.FindAll(HubClaimTypes.Role).Select(c => c.Value)
            .Where(HubRoles.All.Contains)
            .ToHashSet(StringComparer.Ordinal);
        return new HubPrincipal(subject, agency, roles,
            IsTrue(user.FindFirst(HubClaimTypes.Leo)?.Value),
            IsTrue(user.FindFirst(HubClaimTypes.Cfr28)?.Value),
            user.FindFirst(HubClaimTypes.ClientId)?.Value,
            user.FindFirst(HubClaimTypes.Name)?.Value);
    }

    private static bool IsTrue(string? value) => bool.TryParse(value, out var result) && result;
}
