using Microsoft.AspNetCore.Identity;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.Identity.Tokens;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// Checks a local logon: password (ASP.NET Core Identity hashing) and TOTP, both required (CJIS MFA),
/// with lockout after repeated failures. Every attempt is audited.
/// </summary>
internal sealed class LocalLogin(
    UserManager<HubUser> users, HubIdentityDbContext db, IPasswordHasher<HubUser> hasher, AuditLog audit, TimeProvider time)
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
        var step = key is null || string.IsNullOrWhiteSpace(code) ? null : TotpCode.MatchStep(key, code, time.GetUtcNow());
        var failure = (passwordOk, key, code, step) switch
        {
            (false, _, _, _) => "wrong password",
            (true, null, _, _) => "no second factor enrolled",
            (true, _, null or "", _) => "one-time code missing",
            (true, _, _, null) => "wrong one-time code",
            _ when IsReplay(user, step.Value) => "one-time code already used",
            _ => null,
        };
        if (failure is null)
        {
            // Recording the step is what spends the code. The update checks the concurrency stamp, so of two
            // logons racing with one code only the first is stored; the other is a replay.
            user.LastTotpStep = step;
            if (!(await users.UpdateAsync(user)).Succeeded)
            {
                failure = "one-time code already used";
                await db.Entry(user).ReloadAsync(cancellationToken);
            }
        }
        if (failure is not null)
        {
            await users.AccessFailedAsync(user);
            await Audit(userName, AuditOutcome.Failure, failure, cancellationToken);
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

    // DEVELOPMENT ONLY exception: demo users share the checkout's published TOTP secret (.hub/identity), so a spent
    // code protects nothing there, and ./hub token may log the same demo user in several times within one step.
    private static bool IsReplay(HubUser user, long step) => !user.IsDemo && step <= user.LastTotpStep;

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
