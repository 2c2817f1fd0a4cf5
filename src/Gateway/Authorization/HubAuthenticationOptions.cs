using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Authorization;

/// <summary>How Gateway validates access tokens: locally, with the keys Identity publishes.</summary>
public sealed class HubAuthenticationOptions
{
    /// <summary>Configuration section: <c>Authentication</c>.</summary>
    public const string SectionName = "Authentication";

    /// <summary>
    /// Identity's issuer URI (its discovery document and JWKS are fetched from there). Outside Development it must be
    /// <c>https://</c>; the development default is this checkout's Identity on loopback.
    /// </summary>
    [Required]
    public Uri? Authority { get; set; }

    /// <summary>The audience access tokens must carry.</summary>
    [Required]
    public string Audience { get; set; } = "sharinghub-api";
}
