using System.ComponentModel.DataAnnotations;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Identity.Seeding;

/// <summary>Agencies and OAuth clients, applied idempotently at start-up and by <c>./hub identity seed</c>.</summary>
public sealed class SeedingOptions
{
    /// <summary>Configuration section: <c>Seeding</c>.</summary>
    public const string SectionName = "Seeding";

    /// <summary>Apply the seed when the host starts.</summary>
    public bool OnStartup { get; set; } = true;

    /// <summary>Member agencies.</summary>
    public List<AgencySeed> Agencies { get; set; } = [];

    /// <summary>
    /// A JSON file with more agencies (<c>{"agencies":[{"code","name","kind"}]}</c>), e.g. demo/agencies.json.
    /// </summary>
    public string? AgenciesFile { get; set; }

    /// <summary>OAuth clients.</summary>
    public List<ClientSeed> Clients { get; set; } = [];

    /// <summary>
    /// DEVELOPMENT ONLY: a JSON file under <c>.hub/</c> holding generated development secrets (client secrets
    /// without a configured secret, the demo password and the demo TOTP secret). Empty in production, where
    /// every confidential client must have a configured secret and demo users cannot exist.
    /// </summary>
    public string? DevelopmentSecretsFile { get; set; }

    /// <summary>DEVELOPMENT ONLY: register a connector client <c>connector-CODE</c> for every agency.</summary>
    public bool DemoConnectors { get; set; }
}

/// <summary>A member agency.</summary>
public sealed class AgencySeed
{
    [Required, RegularExpression("^[A-Z0-9]{3,16}$")]
    public string Code { get; set; } = "";

    [Required]
    public string Name { get; set; } = "";

    public AgencyKind Kind { get; set; }
}

/// <summary>An OAuth client.</summary>
public sealed class ClientSeed
{
    [Required]
    public string ClientId { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>Public clients (CLIs, browser apps) have no secret and must use PKCE.</summary>
    public bool Public { get; set; }

    /// <summary>
    /// A page running in a browser (the Gateway's <c>/inbox</c>): a public client whose redirect URIs' origins may call
    /// the discovery, key, token and revocation endpoints from script (CORS, without credentials). Requires
    /// <see cref="Public"/>: a browser cannot keep a secret.
    /// </summary>
    public bool Browser { get; set; }

    /// <summary>Secret of a confidential client. In development it may be left empty and is generated.</summary>
    public string? Secret { get; set; }

    /// <summary>Allowed grants: <c>authorization_code</c>, <c>refresh_token</c>, <c>client_credentials</c>.</summary>
    public List<string> Grants { get; set; } = [];

    public List<Uri> RedirectUris { get; set; } = [];

    public List<Uri> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>The agency a client-credentials client acts for (connectors). Required for that grant.</summary>
    public string? Agency { get; set; }
}
