using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SharingHub.Identity.Keys;

/// <summary>
/// The loaded key set: certificates for signing and for encryption, shared by the OpenIddict server
/// (tokens) and the OpenIddict client (state tokens of federated logons).
/// </summary>
internal sealed class KeyRing
{
    public KeyRing(IOptions<KeyOptions> options, TimeProvider time, ILogger<KeyRing> logger)
    {
        var settings = options.Value;
        var path = Path.GetFullPath(settings.File);
        if (!File.Exists(path))
        {
            if (!settings.CreateIfMissing)
            {
                throw new OptionsValidationException(KeyOptions.SectionName, typeof(KeyOptions),
                    [$"{KeyOptions.SectionName}:File: the key file '{path}' does not exist (mount it, or set {KeyOptions.SectionName}:CreateIfMissing in development)."]);
            }
            KeySetFile.Create(time.GetUtcNow(), TimeSpan.FromDays(settings.LifetimeDays), settings.Passphrase).Save(path);
            Log.KeyFileCreated(logger, path);
        }

        var file = KeySetFile.Load(path);
        if (!file.IsEncrypted)
        {
            // A file from before passphrases: encrypt it in place, once.
            file.Encrypt(settings.Passphrase);
            file.Save(path);
            Log.KeyFileEncrypted(logger, path);
        }
        try
        {
            Signing = file.Keys.Where(k => k.Use == KeyUse.Signing).Select(k => k.LoadCertificate(settings.Passphrase)).ToList();
            Encryption = file.Keys.Where(k => k.Use == KeyUse.Encryption).Select(k => k.LoadCertificate(settings.Passphrase)).ToList();
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new OptionsValidationException(KeyOptions.SectionName, typeof(KeyOptions),
                [$"{KeyOptions.SectionName}:Passphrase does not open the keys in '{path}' ({ex.Message})."]);
        }
        Log.KeysLoaded(logger, Signing.Count, Encryption.Count, path);
    }

    public IReadOnlyList<X509Certificate2> Signing { get; }

    public IReadOnlyList<X509Certificate2> Encryption { get; }

    public IEnumerable<SigningCredentials> SigningCredentials() =>
        Signing.Select(c => new SigningCredentials(new X509SecurityKey(c), SecurityAlgorithms.RsaSha256));

    public IEnumerable<EncryptingCredentials> EncryptingCredentials() =>
        Encryption.Select(c => new EncryptingCredentials(new X509SecurityKey(c),
            SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Created a new development key file at {Path}")]
    public static partial void KeyFileCreated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encrypted the keys of {Path} with the configured passphrase (the file held them in the clear)")]
    public static partial void KeyFileEncrypted(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created a development data-protection certificate at {Path}")]
    public static partial void KeyProtectionCertificateCreated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {SigningCount} signing and {EncryptionCount} encryption keys from {Path}")]
    public static partial void KeysLoaded(ILogger logger, int signingCount, int encryptionCount, string path);
}
