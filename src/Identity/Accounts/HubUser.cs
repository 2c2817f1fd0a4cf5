using Microsoft.AspNetCore.Identity;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// A local account, for agencies without their own identity provider. Federated users are not stored:
/// their claims come from the upstream provider at each logon.
/// </summary>
public sealed class HubUser : IdentityUser
{
    /// <summary>Code of the agency the account belongs to.</summary>
    public string AgencyCode { get; set; } = "";

    /// <summary>Hub roles (see <c>HubRoles</c>).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Sworn law enforcement.</summary>
    public bool Leo { get; set; }

    /// <summary>Certified under 28 CFR Part 23.</summary>
    public bool Cfr28 { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Created by the development seeding (demo password and fixed TOTP secret).</summary>
    public bool IsDemo { get; set; }

    /// <summary>
    /// The TOTP time step of the last one-time code accepted for this account. A code is accepted only for a later
    /// step, so an observed code cannot be replayed while it is still valid.
    /// </summary>
    public long? LastTotpStep { get; set; }
}
