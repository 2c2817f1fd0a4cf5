using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Data;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// ASP.NET Core Identity's user store, with the TOTP key encrypted at rest (data protection, whose keys the
/// configured certificate encrypts): a copy of the database holds no usable second factor.
/// </summary>
internal sealed class HubUserStore(HubIdentityDbContext context, IDataProtectionProvider protection, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<HubUser, HubIdentityDbContext>(context, describer)
{
    /// <summary>Prefix of an encrypted TOTP key; a value without it is a key stored in the clear, before encryption.</summary>
    public const string EncryptedPrefix = "dp1:";

    /// <summary>The login provider and name ASP.NET Core Identity stores the authenticator key under.</summary>
    public const string TokenProvider = "[AspNetUserStore]";

    public const string TokenName = "AuthenticatorKey";

    private readonly IDataProtector _protector = Protector(protection);

    public static IDataProtector Protector(IDataProtectionProvider protection)
    {
        ArgumentNullException.ThrowIfNull(protection);
        return protection.CreateProtector("SharingHub.Identity.Accounts.TotpKey.v1");
    }

    public override Task SetAuthenticatorKeyAsync(HubUser user, string key, CancellationToken cancellationToken) =>
        base.SetAuthenticatorKeyAsync(user, EncryptedPrefix + _protector.Protect(key), cancellationToken);

    /// <summary>The key, or null when none is enrolled. A key found in the clear is not used (see <see cref="TotpKeyEncryption"/>).</summary>
    public override async Task<string?> GetAuthenticatorKeyAsync(HubUser user, CancellationToken cancellationToken)
    {
        var stored = await base.GetAuthenticatorKeyAsync(user, cancellationToken);
        return stored is not null && stored.StartsWith(EncryptedPrefix, StringComparison.Ordinal)
            ? _protector.Unprotect(stored[EncryptedPrefix.Length..])
            : null;
    }
}

/// <summary>
/// Encrypts, before the host serves, every TOTP key still stored in the clear (rows from before encryption at rest).
/// Afterwards a key in the clear can only have been written around the hub, and <see cref="HubUserStore"/> ignores it.
/// </summary>
internal sealed partial class TotpKeyEncryption(IServiceScopeFactory scopes, ILogger<TotpKeyEncryption> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var count = await EncryptStoredKeysAsync(scope.ServiceProvider, cancellationToken);
        if (count > 0)
        {
            LogEncrypted(logger, count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Encrypts the TOTP keys stored in the clear; returns how many there were.</summary>
    public static async Task<int> EncryptStoredKeysAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<HubIdentityDbContext>();
        var protector = HubUserStore.Protector(services.GetRequiredService<IDataProtectionProvider>());
        var clear = await db.UserTokens
            .Where(t => t.LoginProvider == HubUserStore.TokenProvider && t.Name == HubUserStore.TokenName
                && t.Value != null && !EF.Functions.Like(t.Value, HubUserStore.EncryptedPrefix + "%"))
            .ToListAsync(cancellationToken);
        foreach (var token in clear)
        {
            token.Value = HubUserStore.EncryptedPrefix + protector.Protect(token.Value!);
        }
        await db.SaveChangesAsync(cancellationToken);
        return clear.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encrypted {Count} TOTP keys that were stored in the clear")]
    private static partial void LogEncrypted(ILogger logger, int count);
}
