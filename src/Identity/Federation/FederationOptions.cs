using System.ComponentModel.DataAnnotations;

namespace SharingHub.Identity.Federation;

/// <summary>The agencies' own identity providers that the hub trusts, one registration per agency.</summary>
public sealed class FederationOptions
{
    /// <summary>Configuration section: <c>Federation</c>.</summary>
    public const string SectionName = "Federation";

    /// <summary>Registered upstream providers.</summary>
    public List<UpstreamProvider> Providers { get; set; } = [];
}

/// <summary>
/// One agency's OpenID Connect provider. Everyone it authenticates belongs to <see cref="Agency"/>:
/// the hub never reads the agency from the provider's claims.
/// </summary>
public sealed class UpstreamProvider
{
    /// <summary>Code of the agency this provider speaks for; it must be a registered agency.</summary>
    [Required, RegularExpression("^[A-Z0-9]{3,16}$")]
    public string Agency { get; set; } = "";

    /// <summary>The provider's issuer; its discovery document must name exactly this issuer.</summary>
    [Required]
    public Uri? Issuer { get; set; }

    /// <summary>Shown on the login page.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The hub's client id at the provider.</summary>
    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>The hub's client secret at the provider (from a secret store, never from appsettings).</summary>
    [Required]
    public string ClientSecret { get; set; } = "";

    /// <summary>Scopes requested from the provider.</summary>
    public List<string> Scopes { get; set; } = ["openid", "profile"];

    /// <summary>Upstream claim holding the display name.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>
    /// Rules that grant hub roles and attributes. A user matching no rule gets no role and is refused.
    /// </summary>
    public List<ClaimRule> Rules { get; set; } = [];
}

/// <summary>When the upstream claim <see cref="Claim"/> has the value <see cref="Value"/>, grant these.</summary>
public sealed class ClaimRule
{
    /// <summary>Upstream claim type, e.g. <c>groups</c> or <c>role</c>.</summary>
    [Required]
    public string Claim { get; set; } = "";

    /// <summary>Upstream claim value, compared exactly.</summary>
    [Required]
    public string Value { get; set; } = "";

    /// <summary>Hub roles granted (officer, analyst, supervisor, admin, advocate).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Grants the sworn-law-enforcement attribute.</summary>
    public bool Leo { get; set; }

    /// <summary>Grants the 28 CFR Part 23 certification attribute.</summary>
    public bool Cfr28 { get; set; }
}
