using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharingHub.Identity.Keys;

/// <summary>
/// The key-set file: self-signed RSA certificates for signing and for encryption. Each carries its validity
/// period, which is how rollover works: of the valid keys the one that expires last signs, and every key
/// in the file stays published in the JWKS until it is pruned. Each PKCS#12 is encrypted with the passphrase
/// (<c>Keys:Passphrase</c>): PBES2, AES-256-CBC with a PBKDF2-SHA256 key, so the file alone mints no token.
/// </summary>
internal sealed class KeySetFile
{
    /// <summary>The <see cref="Format"/> of files whose keys are encrypted with the passphrase.</summary>
    public const int EncryptedFormat = 2;

    /// <summary>How keys are encrypted: PBES2 with AES-256-CBC, its key from PBKDF2-HMAC-SHA256.</summary>
    public static readonly PbeParameters ExportParameters = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 200_000);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    [JsonPropertyName("_comment")]
    public string Comment { get; set; } =
        "SharingHub Identity signing and encryption keys. SECRET: never commit, never log.";

    /// <summary>1 (or absent): keys in the clear, as before passphrases; <see cref="EncryptedFormat"/>: encrypted.</summary>
    public int Format { get; set; } = 1;

    [JsonIgnore]
    public bool IsEncrypted => Format == EncryptedFormat;

    public List<KeyEntry> Keys { get; set; } = [];

    public static KeySetFile Load(string path)
    {
        var file = JsonSerializer.Deserialize<KeySetFile>(File.ReadAllBytes(path), Json)
            ?? throw new InvalidDataException($"Key file {path} is empty.");
        if (!file.Keys.Exists(k => k.Use == KeyUse.Signing) || !file.Keys.Exists(k => k.Use == KeyUse.Encryption))
        {
            throw new InvalidDataException($"Key file {path} must hold at least one signing and one encryption key.");
        }
        return file;
    }

    /// <summary>Writes the file atomically, readable by its owner only.</summary>
    public void Save(string path) => WriteOwnerOnly(path, stream => JsonSerializer.Serialize(stream, this, Json));

    /// <summary>Writes a secret file atomically (a temporary file, then a rename), readable by its owner only.</summary>
    public static void WriteOwnerOnly(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            write(stream);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Encrypts the keys of a file written before passphrases (format 1) with <paramref name="passphrase"/>.</summary>
    public void Encrypt(string passphrase)
    {
        if (IsEncrypted)
        {
            return;
        }
        foreach (var key in Keys)
        {
            using var certificate = key.LoadCertificate(passphrase: null);
            key.Pkcs12 = Convert.ToBase64String(certificate.ExportPkcs12(ExportParameters, passphrase));
        }
        Format = EncryptedFormat;
    }

    public static KeySetFile Create(DateTimeOffset now, TimeSpan lifetime, string passphrase)
    {
        var file = new KeySetFile { Format = EncryptedFormat };
        file.Keys.Add(KeyEntry.Generate(KeyUse.Signing, now, now + lifetime, passphrase));
        file.Keys.Add(KeyEntry.Generate(KeyUse.Encryption, now, now + lifetime, passphrase));
        return file;
    }

    /// <summary>
    /// Adds a new signing and encryption key valid from <c>now + prepublish</c>, and prunes keys that expired
    /// more than <paramref name="retainExpired"/> ago. Returns the ids of the new keys.
    /// </summary>
    public IReadOnlyList<string> Rotate(DateTimeOffset now, TimeSpan lifetime, TimeSpan prepublish, TimeSpan retainExpired, string passphrase)
    {
        Encrypt(passphrase);
        Keys.RemoveAll(k => k.NotAfter + retainExpired < now);
        var start = now + prepublish;
        var signing = KeyEntry.Generate(KeyUse.Signing, start, start + lifetime, passphrase);
        var encryption = KeyEntry.Generate(KeyUse.Encryption, start, start + lifetime, passphrase);
        Keys.Add(signing);
        Keys.Add(encryption);
        return [signing.Id, encryption.Id];
    }
}

internal enum KeyUse
{
    Signing,
    Encryption,
}

internal sealed class KeyEntry
{
    public string Id { get; set; } = "";

    public KeyUse Use { get; set; }

    public DateTimeOffset NotBefore { get; set; }

    public DateTimeOffset NotAfter { get; set; }

    /// <summary>Base64 PKCS#12 of the certificate and its private key, encrypted with the passphrase (format 2).</summary>
    public string Pkcs12 { get; set; } = "";

    /// <summary>The certificate; <paramref name="passphrase"/> is null only for a format-1 file.</summary>
    public X509Certificate2 LoadCertificate(string? passphrase) =>
        X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(Pkcs12), passphrase,
            X509KeyStorageFlags.EphemeralKeySet);

    public static KeyEntry Generate(KeyUse use, DateTimeOffset notBefore, DateTimeOffset notAfter, string passphrase)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(
            $"CN=SharingHub Identity {use} key {id}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            use == KeyUse.Signing ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.KeyEncipherment,
            critical: true));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return new KeyEntry
        {
            Id = id,
            Use = use,
            NotBefore = notBefore,
            NotAfter = notAfter,
            Pkcs12 = Convert.ToBase64String(certificate.ExportPkcs12(KeySetFile.ExportParameters, passphrase)),
        };
    }
}
