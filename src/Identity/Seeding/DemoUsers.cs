using Microsoft.AspNetCore.Identity;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.Seeding;

/// <summary>
/// DEVELOPMENT ONLY. Demo users (<c>ROLE.agencycode</c>) with the checkout's demo password and fixed TOTP secret,
/// created on first use. Refused when development secrets are not configured, as in production.
/// </summary>
internal sealed class DemoUsers(
    HubIdentityDbContext db,
    UserManager<HubUser> users,
    LocalAccounts accounts,
    DevelopmentSecrets secrets,
    AuditLog audit)
{
    public static string UserName(string agencyCode, string role) =>
        $"{role}.{agencyCode}".ToLowerInvariant();

    /// <summary>The roles seeded for an agency by <c>./hub up</c>.</summary>
    public static IReadOnlyList<string> DefaultRoles(AgencyKind kind) => kind switch
    {
        AgencyKind.VictimServices => [HubRoles.Advocate],
        AgencyKind.LawEnforcement or AgencyKind.Prosecution => [HubRoles.Officer, HubRoles.Analyst, HubRoles.Supervisor],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown agency kind."),
    };

    /// <summary>Seeds the default demo users of every registered agency.</summary>
    public async Task<IReadOnlyList<HubUser>> EnsureDefaultsAsync(CancellationToken cancellationToken)
    {
        var created = new List<HubUser>();
        foreach (var agency in db.Agencies.OrderBy(a => a.Code).ToList())
        {
            foreach (var role in DefaultRoles(agency.Kind))
            {
                created.Add(await EnsureAsync(agency.Code, role, cancellationToken));
            }
        }
        return created;
    }

    public async Task<HubUser> EnsureAsync(string agencyCode, string role, CancellationToken cancellationToken)
    {
        if (!secrets.IsAvailable)
        {
            throw new AccountException("Demo users exist only in development (Seeding:DevelopmentSecretsFile is not set).");
        }
        var agency = await accounts.CheckRolesAsync(agencyCode, [role], cancellationToken);

        var userName = UserName(agencyCode, role);
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            user = new HubUser
            {
                UserName = userName,
                AgencyCode = agency.Code,
                Roles = [role],
                Leo = agency.Kind == AgencyKind.LawEnforcement && role is HubRoles.Officer or HubRoles.Supervisor,
                Cfr28 = HubRoles.EnforcementRoles.Contains(role),
                DisplayName = $"Demo {role}, {agency.Name}",
                IsDemo = true,
            };
            LocalAccounts.Check(await users.CreateAsync(user, secrets.DemoPassword));
            await accounts.SetAuthenticatorKeyAsync(user, secrets.DemoTotpSecret, cancellationToken);
            await audit.WriteAsync(AuditEvents.UserCreated, AuditOutcome.Success, "seeding", null,
                $"user={userName} agency={agency.Code} role={role} demo=true", cancellationToken);
            return user;
        }

        // The checkout's secrets may have been regenerated (.hub removed): bring the demo user in line.
        var changed = false;
        if (!await users.CheckPasswordAsync(user, secrets.DemoPassword))
        {
            LocalAccounts.Check(await users.RemovePasswordAsync(user));
            LocalAccounts.Check(await users.AddPasswordAsync(user, secrets.DemoPassword));
            changed = true;
        }
        if (await users.GetAuthenticatorKeyAsync(user) != secrets.DemoTotpSecret)
        {
            await accounts.SetAuthenticatorKeyAsync(user, secrets.DemoTotpSecret, cancellationToken);
            changed = true;
        }
        if (changed)
        {
            await audit.WriteAsync(AuditEvents.UserUpdated, AuditOutcome.Success, "seeding", null,
                $"user={userName} demo credentials reset", cancellationToken);
        }
        return user;
    }
}
