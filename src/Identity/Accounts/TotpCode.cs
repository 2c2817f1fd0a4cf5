using OtpNet;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// RFC 6238 one-time codes as authenticator apps show them (SHA-1, 6 digits, 30-second steps), checked against
/// the current step and one step either side for clock drift.
/// </summary>
internal static class TotpCode
{
    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    /// <summary>
    /// The time step that <paramref name="code"/> belongs to for <paramref name="base32Key"/> at <paramref name="now"/>,
    /// or null when it is not a valid code.
    /// </summary>
    public static long? MatchStep(string base32Key, string code, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(base32Key);
        ArgumentNullException.ThrowIfNull(code);
        var trimmed = code.Trim().Replace(" ", "", StringComparison.Ordinal);
        if (trimmed.Length != 6 || !trimmed.All(char.IsAsciiDigit))
        {
            return null;
        }
        var totp = new Totp(Base32Encoding.ToBytes(base32Key));
        return totp.VerifyTotp(now.UtcDateTime, trimmed, out var step, Drift) ? step : null;
    }

    /// <summary>The code of the step <paramref name="stepsFromNow"/> steps away from <paramref name="now"/>.</summary>
    public static string Compute(string base32Key, DateTimeOffset now, int stepsFromNow = 0) =>
        new Totp(Base32Encoding.ToBytes(base32Key)).ComputeTotp(now.UtcDateTime.AddSeconds(30 * stepsFromNow));

    /// <summary>A new random key (160 bits, as RFC 4226 recommends), base32-encoded.</summary>
    public static string NewKey() => Base32Encoding.ToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    /// <summary>The <c>otpauth://</c> URI an authenticator app enrols from (usually shown as a QR code).</summary>
    public static Uri EnrolmentUri(string issuer, string userName, string base32Key) => new(
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(userName)}" +
        $"?secret={base32Key}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30");
}
