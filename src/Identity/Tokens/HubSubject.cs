using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using SharingHub.ServiceDefaults.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity.Tokens;

/// <summary>
/// Who signed in, in hub terms. Built by the local login or the federation mapping, kept in the Identity
/// session cookie, and turned into token claims at the authorization and token endpoints.
/// </summary>
internal sealed record HubSubject(
    string Subject,
    string? Name,
    string Agency,
    IReadOnlyList<string> Roles,
    bool Leo,
    bool Cfr28,
    string IdentityProvider,
    IReadOnlyList<string> AuthenticationMethods)
{
    /// <summary>
    /// Claim type of the upstream claims a federated subject was mapped from (value: a JSON <c>[type, value]</c>
    /// pair). They have no destination, so they stay in the session cookie, codes and refresh tokens and never
    /// reach an access or identity token; at authorization and refresh the provider's current rules are
    /// re-applied to them.
    /// </summary>
    public const string UpstreamClaimType = "hub_upstream";

    /// <summary>The <see cref="IdentityProvider"/> of local accounts.</summary>
    public const string LocalProvider = "local";

    /// <summary>The <see cref="IdentityProvider"/> of client-credentials principals.</summary>
    public const string ClientProvider = "client";

    public bool IsLocal => IdentityProvider == LocalProvider;

    /// <summary>For a federated subject, the upstream claims its roles and attributes were mapped from.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UpstreamClaims { get; init; } = [];

    /// <summary>The claims of the Identity session cookie.</summary>
    public ClaimsPrincipal ToCookiePrincipal(string scheme) =>
        new(ToIdentity(scheme));

    /// <summary>The identity OpenIddict turns into tokens, with each claim's destinations set.</summary>
    public ClaimsIdentity ToTokenIdentity()
    {
        var identity = ToIdentity(TokenValidationParameters.DefaultAuthenticationType);
        identity.SetDestinations(static claim => claim.Type switch
        {
            UpstreamClaimType => [],
            Claims.AuthenticationMethodReference => [Destinations.IdentityToken],
            _ => [Destinations.AccessToken, Destinations.IdentityToken],
        });
        return identity;
    }

    public static HubSubject? FromPrincipal(ClaimsPrincipal principal)
    {
        var subject = principal.FindFirst(Claims.Subject)?.Value;
        var agency = principal.FindFirst(HubClaimTypes.Agency)?.Value;
        var idp = principal.FindFirst(HubClaimTypes.IdentityProvider)?.Value;
        if (subject is null || agency is null || idp is null)
        {
            return null;
        }
        return new HubSubject(
            subject,
            principal.FindFirst(Claims.Name)?.Value,
            agency,
            principal.FindAll(HubClaimTypes.Role).Select(c => c.Value).ToList(),
            IsTrue(principal.FindFirst(HubClaimTypes.Leo)?.Value),
            IsTrue(principal.FindFirst(HubClaimTypes.Cfr28)?.Value),
            idp,
            principal.FindAll(Claims.AuthenticationMethodReference).Select(c => c.Value).ToList())
        {
            UpstreamClaims = principal.FindAll(UpstreamClaimType).Select(c => JsonSerializer.Deserialize<string[]>(c.Value))
                .Where(pair => pair is { Length: 2 }).Select(pair => KeyValuePair.Create(pair![0], pair[1])).ToList(),
        };
    }

    private ClaimsIdentity ToIdentity(string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, Subject));
        if (!string.IsNullOrEmpty(Name))
        {
            identity.AddClaim(new Claim(Claims.Name, Name));
        }
        identity.AddClaim(new Claim(HubClaimTypes.Agency, Agency));
        foreach (var role in Roles.Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(HubClaimTypes.Role, role));
        }
        identity.AddClaim(new Claim(HubClaimTypes.Leo, Bool(Leo), ClaimValueTypes.Boolean));
        identity.AddClaim(new Claim(HubClaimTypes.Cfr28, Bool(Cfr28), ClaimValueTypes.Boolean));
        identity.AddClaim(new Claim(HubClaimTypes.IdentityProvider, IdentityProvider));
        foreach (var method in AuthenticationMethods)
        {
            identity.AddClaim(new Claim(Claims.AuthenticationMethodReference, method));
        }
        foreach (var (type, value) in UpstreamClaims)
        {
            identity.AddClaim(new Claim(UpstreamClaimType, JsonSerializer.Serialize(new[] { type, value })));
        }
        return identity;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static bool IsTrue(string? value) =>
        bool.TryParse(value, out var result) && result;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Subject}@{Agency}");
}
