namespace SharingHub.ServiceDefaults.Authentication;

/// <summary>
/// Claim types the hub's tokens carry. Identity issues them; Gateway turns them into a hub principal.
/// </summary>
public static class HubClaimTypes
{
    /// <summary>ORI-style code of the principal's agency. Identity derives it from the authenticating provider.</summary>
    public const string Agency = "agency";

    /// <summary>A hub role (see <see cref="HubRoles"/>); one claim per role.</summary>
    public const string Role = "role";

    /// <summary>Boolean: the person is sworn law enforcement.</summary>
    public const string Leo = "leo";

    /// <summary>Boolean: the person is certified under 28 CFR Part 23.</summary>
    public const string Cfr28 = "cfr28";

    /// <summary>Who authenticated the person: <c>local</c> or the issuer of the agency's identity provider.</summary>
    public const string IdentityProvider = "idp";

    /// <summary>The OAuth client the token was issued to.</summary>
    public const string ClientId = "client_id";

    /// <summary>The subject identifier.</summary>
    public const string Subject = "sub";

    /// <summary>Display name of the person.</summary>
    public const string Name = "name";
}
