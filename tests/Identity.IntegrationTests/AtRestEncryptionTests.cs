using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Keys;
using SharingHub.Identity.Tokens;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// A copy of the Identity database (or of its key file) mints nobody: the data-protection keys are encrypted with the
/// configured certificate, the TOTP keys with data protection, and the signing keys with the configured passphrase.
/// </summary>
public sealed class AtRestEncryptionTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private const string CookieName = "sharinghub.session";
    private readonly IdentityApp _identity = fixture.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DataProtectionKeys_AtRest_AreEncryptedWithTheCertificate()
    {
        await EnsureKeyRingAsync();

        var keys = await StoredKeysAsync();

        Assert.NotEmpty(keys);
        // The key's secret is an XML-encrypted element; in the clear it would be <masterKey><value>BASE64</value>.
        Assert.All(keys, key =>
        {
            Assert.Contains(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName is "masterKey" or "value");
        });
    }

    [Fact]
    public async Task SessionCookie_ForgedWithKeysFromACopiedDatabase_DoesNotSignAnyoneIn()
    {
        var officer = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var subject = await SubjectOfAsync(officer.UserName);
        await EnsureKeyRingAsync();

        // Control: a cookie protected with the host's own key ring is a session (so the forgery below is a real one).
        var genuine = Protect(_identity.Services.GetRequiredService<IDataProtectionProvider>(), subject);
        Assert.True(await AuthorizeIssuesCodeAsync(genuine), "a cookie from the host's own key ring was not accepted");

        // The attacker has every row of data_protection_keys, and no certificate.
        var copied = CopiedKeyRing(await StoredKeysAsync());
        string? forged = null;
        try
        {
            forged = Protect(copied, subject);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
        {
            // Expected: the key material cannot be decrypted, so nothing can be protected with it.
        }

        Assert.True(forged is null || !await AuthorizeIssuesCodeAsync(forged), "a cookie forged from the copied keys signed the officer in");
    }

    [Fact]
    public async Task DataProtectionKey_WrittenInTheClear_IsNotTrusted()
    {
        var officer = await _identity.LocalAccountAsync(TestAgencies.CityPolice, HubRoles.Officer);
        var subject = await SubjectOfAsync(officer.UserName);
        // Whoever could write the table (or a key from before encryption at rest) adds a key in the clear, far in the
        // future so it would become the default key, and forges a cookie with it.
        var planted = new List<XElement>();
        var attacker = CopiedKeyRing(planted, allowNewKeys: true);
        var forged = Protect(attacker, subject);
        Assert.Single(planted);
        await _identity.WithDatabaseAsync(async db =>
        {
            db.DataProtectionKeys.Add(new DataProtectionKeyRow { FriendlyName = "planted", Xml = planted[0].ToString(SaveOptions.DisableFormatting) });
            return await db.SaveChangesAsync(Ct);
        });

        Assert.False(await AuthorizeIssuesCodeAsync(forged), "a cookie protected with a key stored in the clear signed the officer in");
    }

    [Fact]
    public async Task TotpKey_AtRest_IsEncrypted()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Analyst);

        var stored = await StoredTotpKeyAsync(account.UserName);

        Assert.StartsWith(HubUserStore.EncryptedPrefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(account.TotpKey, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TotpKey_StoredInTheClearBeforeEncryption_IsEncryptedAtStartAndStillWorks()
    {
        var account = await _identity.LocalAccountAsync(TestAgencies.CountySheriff, HubRoles.Officer);
        await SetStoredTotpKeyAsync(account.UserName, account.TotpKey);

        int encrypted;
        await using (var scope = _identity.Services.CreateAsyncScope())
        {
            // What the host runs at start (TotpKeyEncryption) for rows written before encryption at rest.
            encrypted = await TotpKeyEncryption.EncryptStoredKeysAsync(scope.ServiceProvider, Ct);
        }
        using var browser = _identity.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, Ct);

        Assert.True(encrypted >= 1);
        Assert.StartsWith(HubUserStore.EncryptedPrefix, await StoredTotpKeyAsync(account.UserName), StringComparison.Ordinal);
        Assert.Equal(TestAgencies.CountySheriff, Jwt.Read(tokens.AccessToken).Value(HubClaimTypes.Agency));
    }

    [Fact]
    public void KeyFile_OnDisk_OpensOnlyWithThePassphrase()
    {
        var file = KeySetFile.Load(_identity.KeyFile);

        Assert.True(file.IsEncrypted);
        Assert.All(file.Keys, key =>
        {
            Assert.ThrowsAny<CryptographicException>(() => key.LoadCertificate(passphrase: null));
            using var certificate = key.LoadCertificate(IdentityApp.KeyPassphrase);
            Assert.True(certificate.HasPrivateKey);
        });
    }

    [Fact]
    public void KeyFile_FromBeforePassphrases_IsEncryptedInPlaceOnLoad()
    {
        var directory = Directory.CreateTempSubdirectory("sharinghub-keys-");
        try
        {
            var path = Path.Combine(directory.FullName, "keys.json");
            var legacy = LegacyKeyFile();
            File.WriteAllText(path, legacy);
            var options = Options.Create(new KeyOptions { File = path, Passphrase = "rotated-in-passphrase" });

            var ring = new KeyRing(options, TimeProvider.System, NullLogger<KeyRing>.Instance);

            var rewritten = KeySetFile.Load(path);
            Assert.True(rewritten.IsEncrypted);
            Assert.All(rewritten.Keys, key => Assert.ThrowsAny<CryptographicException>(() => key.LoadCertificate(passphrase: null)));
            Assert.Single(ring.Signing);
            Assert.DoesNotContain(JsonDocument.Parse(legacy).RootElement.GetProperty("keys")[0].GetProperty("pkcs12").GetString()!,
                File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A key file as written before passphrases: format 1, each PKCS#12 without a password.</summary>
    private static string LegacyKeyFile()
    {
        var now = DateTimeOffset.UtcNow;
        var keys = new[] { KeyUse.Signing, KeyUse.Encryption }.Select(use =>
        {
            using var rsa = RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                $"CN=legacy {use}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(90));
            return new
            {
                id = Guid.NewGuid().ToString("N")[..16],
                use = use == KeyUse.Signing ? "signing" : "encryption",
                notBefore = now.AddMinutes(-5),
                notAfter = now.AddDays(90),
                pkcs12 = Convert.ToBase64String(certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12)),
            };
        });
        return JsonSerializer.Serialize(new { keys });
    }

    private async Task EnsureKeyRingAsync()
    {
        // The login page's antiforgery token needs the key ring, which creates (and stores) its first key.
        using var client = _identity.CreateRawClient();
        using var response = await client.GetAsync(new Uri("account/login", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The host's keys: not the plaintext one a test of this class plants on purpose (FriendlyName "planted").
    private Task<List<XElement>> StoredKeysAsync() => _identity.WithDatabaseAsync(async db =>
        (await db.DataProtectionKeys.AsNoTracking().Where(k => k.FriendlyName != "planted").Select(k => k.Xml).ToListAsync(Ct))
        .Select(XElement.Parse).Where(e => e.Name.LocalName == "key").ToList());

    private Task<HubSubject> SubjectOfAsync(string userName) => _identity.WithDatabaseAsync(async db =>
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.UserName == userName, Ct);
        return new HubSubject(user.Id, user.DisplayName, user.AgencyCode, user.Roles, user.Leo, user.Cfr28,
            HubSubject.LocalProvider, ["pwd", "otp", "mfa"]);
    });

    private Task<string> StoredTotpKeyAsync(string userName) => _identity.WithDatabaseAsync(async db =>
    {
        var id = await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync(Ct);
        return await db.UserTokens.Where(t => t.UserId == id && t.Name == HubUserStore.TokenName).Select(t => t.Value!).SingleAsync(Ct);
    });

    private Task<int> SetStoredTotpKeyAsync(string userName, string value) => _identity.WithDatabaseAsync(async db =>
    {
        var id = await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync(Ct);
        var token = await db.UserTokens.SingleAsync(t => t.UserId == id && t.Name == HubUserStore.TokenName, Ct);
        token.Value = value;
        return await db.SaveChangesAsync(Ct);
    });

    /// <summary>The session cookie's value for <paramref name="subject"/>, as the cookie handler would protect it.</summary>
    private static string Protect(IDataProtectionProvider provider, HubSubject subject)
    {
        var protector = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware",
            AccountEndpoints.SessionScheme, "v2");
        var ticket = new AuthenticationTicket(subject.ToCookiePrincipal(AccountEndpoints.SessionScheme), AccountEndpoints.SessionScheme);
        return new TicketDataFormat(protector).Protect(ticket);
    }

    /// <summary>A data-protection system of the attacker's, on <paramref name="elements"/> (and nothing else of the host's).</summary>
    private static IDataProtectionProvider CopiedKeyRing(List<XElement> elements, bool allowNewKeys = false)
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddDataProtection().SetApplicationName("SharingHub.Identity");
        if (!allowNewKeys)
        {
            builder.DisableAutomaticKeyGeneration();
        }
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new ListRepository(elements));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    /// <summary>Whether the browser holding <paramref name="cookie"/> as its session gets an authorization code.</summary>
    private async Task<bool> AuthorizeIssuesCodeAsync(string cookie)
    {
        var cookies = new CookieContainer();
        cookies.Add(new Cookie(CookieName, cookie, "/", _identity.BaseUri.Host));
        using var browser = new HeadlessLogin(_identity.BaseUri, cookies);
        var step = await browser.StartAsync(AuthorizationRequest.Create(IdentityApp.CliClient, IdentityApp.CliRedirectUri, "openid api"), Ct);
        return step.IsCallback;
    }

    private sealed class ListRepository(List<XElement> elements) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => elements.ToList();

        public void StoreElement(XElement element, string friendlyName) => elements.Add(element);
    }
}
