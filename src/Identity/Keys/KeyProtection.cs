using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace SharingHub.Identity.Keys;

/// <summary>The certificate of <see cref="KeyProtectionOptions"/>, loaded (or in development created) on first use.</summary>
internal sealed class KeyProtectionCertificate(IOptions<KeyProtectionOptions> options, ILogger<KeyProtectionCertificate> logger)
{
    private readonly Lazy<X509Certificate2> _certificate = new(() => Load(options.Value, logger));

    public X509Certificate2 Certificate => _certificate.Value;

    private static X509Certificate2 Load(KeyProtectionOptions settings, ILogger logger)
    {
        var path = Path.GetFullPath(settings.CertificateFile);
        if (!File.Exists(path))
        {
            if (!settings.CreateIfMissing)
            {
                throw new OptionsValidationException(KeyProtectionOptions.SectionName, typeof(KeyProtectionOptions),
                    [$"{KeyProtectionOptions.SectionName}:CertificateFile: the certificate file '{path}' does not exist (mount it, or set {KeyProtectionOptions.SectionName}:CreateIfMissing in development)."]);
            }
            Create(path, settings.CertificatePassword);
            Log.KeyProtectionCertificateCreated(logger, path);
        }
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new OptionsValidationException(KeyProtectionOptions.SectionName, typeof(KeyProtectionOptions),
                [$"{KeyProtectionOptions.SectionName}:CertificatePassword does not open '{path}' ({ex.Message})."]);
        }
    }

    /// <summary>DEVELOPMENT ONLY: a self-signed RSA certificate, written with the configured password, owner-readable only.</summary>
    private static void Create(string path, string password)
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=SharingHub Identity data protection (development)", rsa,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var bytes = certificate.ExportPkcs12(KeySetFile.ExportParameters, password);
        KeySetFile.WriteOwnerOnly(path, stream => stream.Write(bytes));
    }
}

/// <summary>
/// Encrypts each new data-protection key with the <see cref="KeyProtectionCertificate"/> (XML encryption, RSA-OAEP
/// wrapping an AES-256 key), as <c>ProtectKeysWithCertificate</c> does, but with a certificate read from configuration
/// when first needed rather than while the services are registered.
/// </summary>
internal sealed class CertificateKeyEncryptor(KeyProtectionCertificate certificate, ILoggerFactory loggers) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var encrypted = new CertificateXmlEncryptor(certificate.Certificate, loggers).Encrypt(plaintextElement);
        return new EncryptedXmlInfo(encrypted.EncryptedElement, typeof(CertificateKeyDecryptor));
    }
}

/// <summary>
/// Decrypts data-protection keys that <see cref="CertificateKeyEncryptor"/> encrypted, with the configured certificate's
/// private key. The data-protection system creates it by name from the stored key.
/// </summary>
public sealed class CertificateKeyDecryptor : IXmlDecryptor
{
    private readonly X509Certificate2 _certificate;

    /// <summary>Created by the data-protection system with the host's services.</summary>
    public CertificateKeyDecryptor(IServiceProvider services)
    {
        _certificate = services.GetRequiredService<KeyProtectionCertificate>().Certificate;
    }

    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        using (var reader = encryptedElement.CreateReader())
        {
            document.Load(reader);
        }
        new WithCertificate(document, _certificate).DecryptDocument();
        return XElement.Parse(document.DocumentElement!.OuterXml);
    }

    /// <summary>Finds the key-encryption key by the certificate named in the key's X.509 data, not in a certificate store.</summary>
    private sealed class WithCertificate(XmlDocument document, X509Certificate2 certificate) : EncryptedXml(document)
    {
        public override byte[]? DecryptEncryptedKey(EncryptedKey encryptedKey)
        {
            foreach (var clause in encryptedKey.KeyInfo)
            {
                if (clause is KeyInfoX509Data data && data.Certificates is { } certificates
                    && certificates.OfType<X509Certificate2>().Any(c => c.Thumbprint == certificate.Thumbprint))
                {
                    using var rsa = certificate.GetRSAPrivateKey()
                        ?? throw new CryptographicException("The data-protection certificate has no RSA private key.");
                    return DecryptKey(encryptedKey.CipherData.CipherValue!, rsa,
                        encryptedKey.EncryptionMethod?.KeyAlgorithm == XmlEncRSAOAEPUrl);
                }
            }
            throw new CryptographicException("A data-protection key is encrypted with another certificate than the configured one.");
        }
    }
}
