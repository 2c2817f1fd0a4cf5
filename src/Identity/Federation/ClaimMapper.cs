using System.Security.Claims;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Tokens;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity.Federation;

/// <summary>
/// Maps an upstream provider's user to a hub subject. The agency is the provider's agency, never a claim;
/// roles and attributes come only from the provider's rules.
/// </summary>
internal static class ClaimMapper
{
    public static MappingResult Map(UpstreamProvider provider, Agency agency, ClaimsPrincipal upstream)
    {
        var subject = upstream.FindFirst(Claims.Subject)?.Value;
        if (string.IsNullOrEmpty(subject))
        {
            return MappingResult.Refused("the provider sent no subject");
        }

        // An upstream claim that names an agency is a forgery or a misconfiguration either way: the
        // provider speaks for exactly one agency, the one it is registered for.
        var asserted = upstream.FindAll(HubClaimTypes.Agency).Select(c => c.Value)
            .FirstOrDefault(value => !string.Equals(value, agency.Code, StringComparison.Ordinal));
        if (asserted is not null)
        {
            return MappingResult.Refused($"the provider asserted agency '{asserted}' but speaks for {agency.Code}");
        }

        var matched = provider.Rules
            .Where(rule => upstream.FindAll(rule.Claim).Any(c => string.Equals(c.Value, rule.Value, StringComparison.Ordinal)))
            .ToList();
        var roles = matched.SelectMany(r => r.Roles).Where(HubRoles.PersonRoles.Contains).Distinct(StringComparer.Ordinal).ToList();
        var leo = matched.Exists(r => r.Leo);
        if (agency.Kind == AgencyKind.VictimServices)
        {
            // Victim-service organizations never reach enforcement data, whatever their provider says.
            roles.RemoveAll(role => role != HubRoles.Advocate);
            leo = false;
        }
        if (roles.Count == 0)
        {
            return MappingResult.Refused("no hub role is mapped for this user");
        }

        // What the rules read is kept with the subject, so the rules can be applied again at every authorization
        // and refresh (the registration may have changed since this logon).
        var kept = new HashSet<string>(provider.Rules.Select(r => r.Claim), StringComparer.Ordinal)
            { Claims.Subject, HubClaimTypes.Agency, provider.NameClaim };
        return MappingResult.Mapped(new HubSubject(
            Subject: $"{agency.Code}:{subject}",
            Name: upstream.FindFirst(provider.NameClaim)?.Value,
            Agency: agency.Code,
            Roles: roles,
            Leo: leo,
            Cfr28: matched.Exists(r => r.Cfr28),
            IdentityProvider: provider.Issuer!.AbsoluteUri,
            AuthenticationMethods: ["fed"])
        {
            UpstreamClaims = upstream.Claims.Where(c => kept.Contains(c.Type)).Select(c => KeyValuePair.Create(c.Type, c.Value)).ToList(),
        });
    }

    /// <summary>
    /// Applies the provider's current rules again to the upstream claims <paramref name="subject"/> was mapped from
    /// at logon. Refused when they no longer grant a role, or no longer map to the same subject.
    /// </summary>
    public static MappingResult Remap(UpstreamProvider provider, Agency agency, HubSubject subject)
    {
        var upstream = new ClaimsPrincipal(new ClaimsIdentity(
            subject.UpstreamClaims.Select(c => new Claim(c.Key, c.Value)), "upstream"));
        var mapped = Map(provider, agency, upstream);
        return mapped.Subject is not null && mapped.Subject.Subject != subject.Subject
            ? MappingResult.Refused("the stored upstream claims name another subject")
            : mapped;
    }
}

internal sealed record MappingResult(HubSubject? Subject, string? Reason)
{
    public static MappingResult Mapped(HubSubject subject) => new(subject, null);

    public static MappingResult Refused(string reason) => new(null, reason);
}
