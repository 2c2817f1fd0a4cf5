using Microsoft.AspNetCore.Identity;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Tokens;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// Checks a local logon: password (ASP.NET Core Identity hashing) and TOTP, both required (CJIS MFA),
/// with lockout after repeated failures. Every attempt is audited.
/// </summary>
internal sealed class LocalLogin(UserManager<HubUser> users, IPasswordHasher<HubUser> hasher, AuditLog audit)
{
    // Verified against for unknown user names, so they take as long as known ones.
    private static readonly string DummyHash =
        new PasswordHasher<HubUser>().HashPassword(new HubUser(), "not-a-password-" + Guid.NewGuid());

    public async Task<LoginResult> SignInAsync(string userName, string password, string? code, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            hasher.VerifyHashedPassword(new HubUser(), DummyHash, password);
            await Audit(userName, AuditOutcome.Failure, "unknown user name", cancellationToken);
            return LoginResult.Failed;
        }
        if (await users.IsLockedOutAsync(user))
        {
            await Audit(userName, AuditOutcome.Failure, "account locked", cancellationToken);
            return LoginResult.LockedOut;
        }

        var passwordOk = await users.CheckPasswordAsync(user, password);
        var key = await users.GetAuthenticatorKeyAsync(user);
        var codeOk = key is not null && !string.IsNullOrWhiteSpace(code)
            && await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, code.Trim());
        if (!passwordOk || !codeOk)
        {
            var reason = (passwordOk, key, code) switch
            {
                (false, _, _) => "wrong password",
                (true, null, _) => "no second factor enrolled",
                (true, _, null or "") => "one-time code missing",
                _ => "wrong one-time code",
            };
            await users.AccessFailedAsync(user);
            await Audit(userName, AuditOutcome.Failure, reason, cancellationToken);
            if (await users.IsLockedOutAsync(user))
            {
                var until = await users.GetLockoutEndDateAsync(user);
                await audit.WriteAsync(AuditEvents.Lockout, AuditOutcome.Success, userName, null,
                    $"locked until {until:O}", cancellationToken);
                return LoginResult.LockedOut;
            }
            return LoginResult.Failed;
        }

        await users.ResetAccessFailedCountAsync(user);
        await Audit(userName, AuditOutcome.Success, null, cancellationToken);
        return LoginResult.Success(new HubSubject(
            user.Id, user.DisplayName ?? user.UserName, user.AgencyCode, user.Roles, user.Leo, user.Cfr28,
            HubSubject.LocalProvider, ["pwd", "otp", "mfa"]));
    }

    private Task Audit(string userName, AuditOutcome outcome, string? detail, CancellationToken cancellationToken) =>
        audit.WriteAsync(AuditEvents.LocalLogon, outcome, userName, null, detail, cancellationToken);
}

/// <summary>The outcome of a logon attempt; the subject only on success.</summary>
internal sealed record LoginResult(LoginStatus Status, HubSubject? Subject)
{
    public static readonly LoginResult Failed = new(LoginStatus.Failed, null);
    public static readonly LoginResult LockedOut = new(LoginStatus.LockedOut, null);

    public static LoginResult Success(HubSubject subject) => new(LoginStatus.Succeeded, subject);
}

internal enum LoginStatus
{
    Succeeded,
    Failed,
    LockedOut,
}
