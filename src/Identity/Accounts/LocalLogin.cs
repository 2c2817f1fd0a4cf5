using Microsoft.AspNetCore.Identity;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.Identity.Tokens;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// Checks a local logon: password (ASP.NET Core Identity hashing) and TOTP, both required (CJIS MFA). Every attempt
/// is audited with its true reason, but the caller always gets the same answer (see <see cref="LoginResult"/>).
/// </summary>
/// <remarks>
/// Only failures made with the right password count towards the account's lockout: a stranger who does not know
/// the password cannot lock a known user out, while a thief who has the password gets a few tries at the one-time
/// code. Wrong passwords are slowed down per source address instead (the logon rate limit); passwords are
/// generated with about 116 bits, so guessing them is no way in. See ADR-003, "Local accounts".
/// </remarks>
internal sealed class LocalLogin(
    UserManager<HubUser> users, HubIdentityDbContext db, IPasswordHasher<HubUser> hasher, AuditLog audit, TimeProvider time,
    IHostEnvironment environment)
{
    // Verified against for unknown user names, so they take as long as known ones.
    private static readonly string DummyHash =
        new PasswordHasher<HubUser>().HashPassword(new HubUser(), "not-a-password-" + Guid.NewGuid());

    public async Task<LoginResult> SignInAsync(string userName, string password, string? code, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(userName);
        // Every attempt verifies one password hash, whatever happens next, so the answer's timing does not tell
        // whether the name exists or the account is locked.
        if (user is null)
        {
            hasher.VerifyHashedPassword(new HubUser(), DummyHash, password);
            return await FailAsync(userName, "unknown user name", cancellationToken);
        }
        var passwordOk = await users.CheckPasswordAsync(user, password);
        if (user.IsDemo && !environment.IsDevelopment())
        {
            // DEVELOPMENT ONLY accounts: their password and TOTP secret are the checkout's published demo secrets.
            return await FailAsync(userName, "demo account outside Development", cancellationToken);
        }
        if (await users.IsLockedOutAsync(user))
        {
            return await FailAsync(userName, "account locked", cancellationToken);
        }
        if (!passwordOk)
        {
            return await FailAsync(userName, "wrong password", cancellationToken);
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        var step = key is null || string.IsNullOrWhiteSpace(code) ? null : TotpCode.MatchStep(key, code, time.GetUtcNow());
        var failure = (key, code, step) switch
        {
            (null, _, _) => "no second factor enrolled",
            (_, null or "", _) => "one-time code missing",
            (_, _, null) => "wrong one-time code",
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

    private async Task<LoginResult> FailAsync(string userName, string reason, CancellationToken cancellationToken)
    {
        await Audit(userName, AuditOutcome.Failure, reason, cancellationToken);
        return LoginResult.Failed;
    }

    private Task Audit(string userName, AuditOutcome outcome, string? detail, CancellationToken cancellationToken) =>
        audit.WriteAsync(AuditEvents.LocalLogon, outcome, userName, null, detail, cancellationToken);
}

/// <summary>
/// The outcome of a logon attempt; the subject only on success. There is one kind of failure: an unknown name, a
/// wrong password or code, a locked or a demo account all get the same answer, so a caller learns nothing from it.
/// </summary>
internal sealed record LoginResult(LoginStatus Status, HubSubject? Subject)
{
    public static readonly LoginResult Failed = new(LoginStatus.Failed, null);

    public static LoginResult Success(HubSubject subject) => new(LoginStatus.Succeeded, subject);
}

internal enum LoginStatus
{
    Succeeded,
    Failed,
}
