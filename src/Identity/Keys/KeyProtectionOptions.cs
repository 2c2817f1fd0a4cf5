using System.ComponentModel.DataAnnotations;

namespace SharingHub.Identity.Keys;

/// <summary>
/// The certificate that encrypts the ASP.NET Core data-protection keys at rest (they protect the sign-in cookie,
/// antiforgery tokens and the stored TOTP keys). Without its private key, a copy of the Identity database cannot
/// forge a session or read a TOTP key.
/// </summary>
public sealed class KeyProtectionOptions
{
    /// <summary>Configuration section: <c>DataProtection</c>.</summary>
    public const string SectionName = "DataProtection";

    /// <summary>
    /// Path of the PKCS#12 file with the certificate and its private key (in production a mounted secret).
    /// DEVELOPMENT DEFAULT: <c>.hub/identity/data-protection.pfx</c> of the checkout, created on first start.
    /// </summary>
    [Required]
    public string CertificateFile { get; set; } = "";

    /// <summary>The PKCS#12 file's password: a secret, from the environment or a secret store, never appsettings.</summary>
    [Required]
    public string CertificatePassword { get; set; } = "";

    /// <summary>Create the certificate file when it does not exist. Development only; production fails instead.</summary>
    public bool CreateIfMissing { get; set; }
}
