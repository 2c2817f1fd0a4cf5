using System.ComponentModel.DataAnnotations;

namespace SharingHub.Identity.Tokens;

/// <summary>How Identity issues tokens.</summary>
public sealed class HubTokenOptions
{
    /// <summary>Configuration section: <c>Tokens</c>.</summary>
    public const string SectionName = "Tokens";

    /// <summary>The audience of every access token: the hub's API (Gateway).</summary>
    public const string ApiAudience = "sharinghub-api";

    /// <summary>The scope that requests <see cref="ApiAudience"/>.</summary>
    public const string ApiScope = "api";

    /// <summary>
    /// The issuer URI. When empty, the issuer is the URL the request reached (fine for development;
    /// set it in production, where a proxy or load balancer sits in front).
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>Access token lifetime, in minutes.</summary>
    [Range(1, 240)]
    public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>Identity token lifetime, in minutes.</summary>
    [Range(1, 240)]
    public int IdentityTokenMinutes { get; set; } = 15;

    /// <summary>Refresh token lifetime, in hours. Each use rotates it.</summary>
    [Range(1, 720)]
    public int RefreshTokenHours { get; set; } = 12;

    /// <summary>Authorization code lifetime, in seconds.</summary>
    [Range(10, 600)]
    public int AuthorizationCodeSeconds { get; set; } = 120;

    /// <summary>
    /// Refuse plain HTTP. Only the development and test defaults turn this off (loopback without TLS).
    /// </summary>
    public bool RequireHttps { get; set; } = true;
}
