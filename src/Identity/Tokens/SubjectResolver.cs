using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Data;
using SharingHub.Identity.Federation;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.Tokens;

/// <summary>
/// Derives who a session or a refresh token stands for, now: a local subject from its account, a federated one from
/// its provider's registration and current rules. A cookie or token only says which subject; agency, roles and
/// attributes never come from it. Used at <c>/connect/authorize</c> and at every code or refresh-token exchange.
/// </summary>
internal sealed class SubjectResolver(
    UserManager<HubUser> users, HubIdentityDbContext db, IOptions<FederationOptions> federation, IHostEnvironment environment)
{
    public async Task<SubjectResolution> ResolveAsync(HubSubject claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        if (claimed.IsLocal)
        {
            return await LocalAsync(claimed, cancellationToken);
        }
        if (claimed.IdentityProvider == HubSubject.ClientProvider)
        {
            return SubjectResolution.Refused("a client's token is not renewed this way");
        }

        var provider = federation.Value.Providers.Find(p => p.Issuer?.AbsoluteUri == claimed.IdentityProvider);
        if (provider is null)
        {
            return SubjectResolution.Refused("the identity provider is no longer registered");
        }
        var agency = await db.Agencies.FindAsync([provider.Agency], cancellationToken);
        if (agency is null)
        {
            return SubjectResolution.Refused($"agency {provider.Agency} of the provider is not registered");
        }
        if (!agency.IsEnabled)
        {
            return SubjectResolution.AgencyDisabled(agency.Code);
        }
        var mapping = ClaimMapper.Remap(provider, agency, claimed);
        return mapping.Subject is null
            ? SubjectResolution.Refused(mapping.Reason!)
            : SubjectResolution.Resolved(mapping.Subject with { AuthenticationMethods = claimed.AuthenticationMethods });
    }

    private async Task<SubjectResolution> LocalAsync(HubSubject claimed, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(claimed.Subject);
        if (user is null)
        {
            return SubjectResolution.Refused("the account no longer exists");
        }
        if (user.IsDemo && !environment.IsDevelopment())
        {
            return SubjectResolution.Refused("demo account outside Development");
        }
        if (await users.IsLockedOutAsync(user))
        {
            return SubjectResolution.Refused("the account is locked or disabled");
        }
        var agency = await db.Agencies.FindAsync([user.AgencyCode], cancellationToken);
        if (agency is null)
        {
            return SubjectResolution.Refused($"the account's agency {user.AgencyCode} is not registered");
        }
        if (!agency.IsEnabled)
        {
            return SubjectResolution.AgencyDisabled(agency.Code);
        }
        // The same rules as at account creation: person roles only, and advocates only in a victim-service organization.
        var roles = user.Roles.Where(HubRoles.PersonRoles.Contains)
            .Where(role => agency.Kind != AgencyKind.VictimServices || role == HubRoles.Advocate)
            .Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            return SubjectResolution.Refused("the account holds no hub role");
        }
        return SubjectResolution.Resolved(claimed with
        {
            Name = user.DisplayName ?? user.UserName,
            Agency = agency.Code,
            Roles = roles,
            Leo = user.Leo,
            Cfr28 = user.Cfr28,
            UpstreamClaims = [],
        });
    }
}

/// <summary>
/// The subject as it stands now, or why it may no longer sign in; <paramref name="AgencyIsDisabled"/> when the reason is
/// that the registry disabled its agency (told to the client as such, not as a session to renew).
/// </summary>
internal sealed record SubjectResolution(HubSubject? Subject, string? Reason, bool AgencyIsDisabled = false)
{
    public static SubjectResolution Resolved(HubSubject subject) => new(subject, null);

    public static SubjectResolution Refused(string reason) => new(null, reason);

    public static SubjectResolution AgencyDisabled(string code) => new(null, Agency.DisabledReason(code), AgencyIsDisabled: true);
}
