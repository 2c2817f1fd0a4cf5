using System.ComponentModel.DataAnnotations;

namespace SharingHub.Identity.Keys;

/// <summary>Where Identity's token signing and encryption keys come from.</summary>
public sealed class KeyOptions
{
    /// <summary>Configuration section: <c>Keys</c>.</summary>
    public const string SectionName = "Keys";

    /// <summary>
    /// Path of the key-set file (JSON holding PKCS#12 certificates). In production this is a mounted secret.
    /// DEVELOPMENT DEFAULT: <c>.hub/identity/keys.json</c> of the checkout, created on first start.
    /// </summary>
    [Required]
    public string File { get; set; } = "";

    /// <summary>
    /// The passphrase that encrypts each key in the file: a secret, from the environment or a secret store, never
    /// appsettings. A file written before passphrases is encrypted with it at the next start.
    /// </summary>
    [Required]
    public string Passphrase { get; set; } = "";

    /// <summary>Create the key-set file when it does not exist. Development only; production fails instead.</summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>How long a newly created key signs and encrypts, in days.</summary>
    [Range(1, 3650)]
    public int LifetimeDays { get; set; } = 90;

    /// <summary>
    /// How long before it starts signing a rotated-in key is published in the JWKS, in days,
    /// so resource servers that cache the key set already know it.
    /// </summary>
    [Range(0, 365)]
    public int PrepublishDays { get; set; }

    /// <summary>How long an expired key stays published (so tokens it signed still validate), in days.</summary>
    [Range(0, 365)]
    public int RetainExpiredDays { get; set; } = 2;
}
