using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// Administers local accounts, for agencies without an identity provider of their own: create one with a generated
/// password and TOTP key, reset both (which also unlocks), and list them. Every change is audited.
/// </summary>
internal sealed class LocalAccounts(HubIdentityDbContext db, UserManager<HubUser> users, IUserStore<HubUser> store, AuditLog audit)
{
    /// <summary>The issuer name authenticator apps show next to the account.</summary>
    public const string TotpIssuer = "SharingHub";

    // No look-alikes (0/O, 1/l/I), so a password read out over the phone is typed right.
    private const string PasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// The agency, after checking that it is registered and that it may hold <paramref name="roles"/>:
    /// person roles only, and advocates only in a victim-service organization.
    /// </summary>
    public async Task<Agency> CheckRolesAsync(string agencyCode, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var agency = await db.Agencies.FindAsync([agencyCode], cancellationToken)
            ?? throw new AccountException($"Unknown agency '{agencyCode}'. Registered: {string.Join(", ", db.Agencies.OrderBy(a => a.Code).Select(a => a.Code))}.");
        if (roles.Count == 0)
        {
            throw new AccountException($"An account needs at least one role: {string.Join(", ", HubRoles.PersonRoles)}.");
        }
        foreach (var role in roles)
        {
            if (!HubRoles.PersonRoles.Contains(role))
            {
                throw new AccountException($"Unknown role '{role}'. Roles: {string.Join(", ", HubRoles.PersonRoles)}.");
            }
            if (agency.Kind == AgencyKind.VictimServices && role != HubRoles.Advocate)
            {
                throw new AccountException($"{agency.Code} is a victim-service organization: its users are advocates.");
            }
        }
        return agency;
    }

    /// <summary>Creates a local account; the credentials returned hold the only copy of the password (the store keeps its hash).</summary>
    public async Task<LocalAccountCredentials> CreateAsync(NewLocalAccount account, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var roles = account.Roles.Distinct(StringComparer.Ordinal).ToList();
        var agency = await CheckRolesAsync(account.AgencyCode, roles, cancellationToken);
        if (await users.FindByNameAsync(account.UserName) is not null)
        {
            throw new AccountException($"The user name '{account.UserName}' is taken.");
        }
        var user = new HubUser
        {
            UserName = account.UserName,
            AgencyCode = agency.Code,
            Roles = roles,
            Leo = account.Leo,
            Cfr28 = account.Cfr28,
            DisplayName = account.DisplayName,
        };
        var password = NewPassword();
        Check(await users.CreateAsync(user, password));
        var key = TotpCode.NewKey();
        await SetAuthenticatorKeyAsync(user, key, cancellationToken);
        await audit.WriteAsync(AuditEvents.UserCreated, AuditOutcome.Success, actor, null,
            $"user={user.UserName} agency={agency.Code} roles={string.Join(',', roles)} leo={account.Leo} cfr28={account.Cfr28}",
            cancellationToken);
        return new LocalAccountCredentials(user.UserName!, password, key, TotpCode.EnrolmentUri(TotpIssuer, user.UserName!, key));
    }

    /// <summary>
    /// Gives an account a new password and TOTP key (the old ones stop working) and lifts any lockout:
    /// for a forgotten password, a lost authenticator, or a locked-out user whose identity was checked.
    /// </summary>
    public async Task<LocalAccountCredentials> ResetCredentialsAsync(string userName, string actor, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(userName) ?? throw new AccountException($"No local account is named '{userName}'.");
        if (user.IsDemo)
        {
            throw new AccountException($"'{userName}' is a demo user: its credentials are the checkout's demo secrets.");
        }
        var password = NewPassword();
        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        var key = TotpCode.NewKey();
        await SetAuthenticatorKeyAsync(user, key, cancellationToken);
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        await audit.WriteAsync(AuditEvents.UserUpdated, AuditOutcome.Success, actor, null,
            $"user={user.UserName} credentials reset, lockout lifted", cancellationToken);
        return new LocalAccountCredentials(user.UserName!, password, key, TotpCode.EnrolmentUri(TotpIssuer, user.UserName!, key));
    }

    /// <summary>Local accounts, of one agency or all, by agency and user name.</summary>
    public async Task<IReadOnlyList<HubUser>> ListAsync(string? agencyCode, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking()
            .Where(u => agencyCode == null || u.AgencyCode == agencyCode)
            .OrderBy(u => u.AgencyCode).ThenBy(u => u.UserName)
            .ToListAsync(cancellationToken);

    /// <summary>Sets the account's TOTP key; no code of the old key, and no step before the next code, counts as spent.</summary>
    public async Task SetAuthenticatorKeyAsync(HubUser user, string base32Key, CancellationToken cancellationToken)
    {
        await ((IUserAuthenticatorKeyStore<HubUser>)store).SetAuthenticatorKeyAsync(user, base32Key, cancellationToken);
        user.LastTotpStep = null;
        Check(await users.UpdateAsync(user));
    }

    /// <summary>Throws <see cref="AccountException"/> with ASP.NET Core Identity's reasons when it refused a change.</summary>
    public static void Check(IdentityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Succeeded)
        {
            throw new AccountException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>Four groups of five random characters (about 116 bits), with an upper- and lower-case letter and a digit.</summary>
    internal static string NewPassword()
    {
        while (true)
        {
            var password = string.Join('-', Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(PasswordAlphabet, 5)));
            if (password.Any(char.IsAsciiDigit) && password.Any(char.IsAsciiLetterUpper) && password.Any(char.IsAsciiLetterLower))
            {
                return password;
            }
        }
    }
}

/// <summary>What an administrator asks for when creating a local account.</summary>
internal sealed record NewLocalAccount(string AgencyCode, string UserName, IReadOnlyList<string> Roles, bool Leo, bool Cfr28, string? DisplayName);

/// <summary>A local account's new credentials, to hand to the user over a trusted channel. Never logged.</summary>
internal sealed record LocalAccountCredentials(string UserName, string Password, string TotpKey, Uri TotpEnrolmentUri);

/// <summary>An account cannot be created or changed as asked; the message says why.</summary>
internal sealed class AccountException(string message) : Exception(message);
