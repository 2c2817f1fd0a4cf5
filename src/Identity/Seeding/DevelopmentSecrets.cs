using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Accounts;

namespace SharingHub.Identity.Seeding;

/// <summary>
/// DEVELOPMENT ONLY. Secrets generated once per checkout under <c>.hub/</c> (git-ignored, mode 600):
/// the demo users' password, their fixed TOTP secret, and a master secret from which each client without
/// a configured secret gets its own (so the file is written once and processes never race on it).
/// Unavailable when <see cref="SeedingOptions.DevelopmentSecretsFile"/> is not set, as in production.
/// </summary>
internal sealed class DevelopmentSecrets(IOptions<SeedingOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private SecretsFile? _file;

    public bool IsAvailable => !string.IsNullOrWhiteSpace(options.Value.DevelopmentSecretsFile);

    public string DemoPassword => File.DemoPassword;

    /// <summary>Base32 TOTP secret shared by every demo user.</summary>
    public string DemoTotpSecret => File.DemoTotpSecret;

    public string ClientSecret(string clientId) => Convert.ToHexStringLower(
        HMACSHA256.HashData(Convert.FromHexString(File.Master), Encoding.UTF8.GetBytes("client:" + clientId)))[..32];

    private SecretsFile File => _file ??= LoadOrCreate();

    private SecretsFile LoadOrCreate()
    {
        var path = Path.GetFullPath(options.Value.DevelopmentSecretsFile ?? throw new InvalidOperationException(
            $"{SeedingOptions.SectionName}:DevelopmentSecretsFile is not set: development secrets are unavailable."));
        if (!System.IO.File.Exists(path))
        {
            var directory = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                if (!OperatingSystem.IsWindows())
                {
                    System.IO.File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                JsonSerializer.Serialize(stream, new SecretsFile
                {
                    Master = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                    DemoPassword = "Demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
                    DemoTotpSecret = TotpCode.NewKey(),
                }, Json);
            }
            try
            {
                // No overwrite: when another process created the file first, its secrets win.
                System.IO.File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (System.IO.File.Exists(path))
            {
                System.IO.File.Delete(temp);
            }
        }
        return JsonSerializer.Deserialize<SecretsFile>(System.IO.File.ReadAllBytes(path), Json)
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    private sealed class SecretsFile
    {
        public string Comment { get; set; } = "DEVELOPMENT SECRETS of this checkout. Never use outside development.";

        public string Master { get; set; } = "";

        public string DemoPassword { get; set; } = "";

        public string DemoTotpSecret { get; set; } = "";
    }
}
