using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Cli;
using SharingHub.Identity.Data;
using SharingHub.Identity.Seeding;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>
/// The Identity host on real Kestrel (a free loopback port), on a test class's own database, with its keys and
/// development secrets in a temporary folder, and intent methods for what tests do with it.
/// </summary>
public sealed class IdentityApp : WebApplicationFactory<Program>
{
    public const string CliClient = "sharinghub-cli";
    public const string WebClient = "sharinghub-web";
    public static readonly Uri CliRedirectUri = new("http://127.0.0.1:8765/callback");

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;

    public IdentityApp(string connectionString, string stateDirectory, IReadOnlyDictionary<string, string?>? settings = null,
        string environment = "Testing")
    {
        _environment = environment;
        ConnectionString = connectionString;
        StateDirectory = stateDirectory;
        Port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{Port}/");
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:identitydb"] = connectionString,
            ["Keys:File"] = KeyFile,
            ["Keys:CreateIfMissing"] = "true",
            ["Keys:Passphrase"] = KeyPassphrase,
            ["DataProtection:CertificateFile"] = Path.Combine(stateDirectory, "data-protection.pfx"),
            ["DataProtection:CertificatePassword"] = DataProtectionPassword,
            ["DataProtection:CreateIfMissing"] = "true",
            // Every test logs on from 127.0.0.1: the per-address limit has a class of its own (LogonThrottleTests).
            ["Accounts:LogonAttemptsPerAddress"] = "10000",
            ["Seeding:DevelopmentSecretsFile"] = Path.Combine(stateDirectory, "dev-secrets.json"),
            ["Seeding:DemoConnectors"] = "true",
            ["Seeding:Agencies:0:Code"] = TestAgencies.CityPolice,
            ["Seeding:Agencies:0:Name"] = "Test City Police",
            ["Seeding:Agencies:0:Kind"] = "lawEnforcement",
            ["Seeding:Agencies:1:Code"] = TestAgencies.CountySheriff,
            ["Seeding:Agencies:1:Name"] = "Test County Sheriff",
            ["Seeding:Agencies:1:Kind"] = "lawEnforcement",
            ["Seeding:Agencies:2:Code"] = TestAgencies.Shelter,
            ["Seeding:Agencies:2:Name"] = "Test Survivors Shelter",
            ["Seeding:Agencies:2:Kind"] = "victimServices",
            ["Seeding:Clients:0:ClientId"] = CliClient,
            ["Seeding:Clients:0:Public"] = "true",
            ["Seeding:Clients:0:Grants:0"] = "authorization_code",
            ["Seeding:Clients:0:Grants:1"] = "refresh_token",
            ["Seeding:Clients:0:RedirectUris:0"] = CliRedirectUri.AbsoluteUri,
            ["Seeding:Clients:1:ClientId"] = WebClient,
            ["Seeding:Clients:1:Grants:0"] = "authorization_code",
            ["Seeding:Clients:1:RedirectUris:0"] = "http://127.0.0.1:8766/signin-oidc",
            ["Tokens:RequireHttps"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        UseKestrel(Port);
    }

    /// <summary>The passphrase of every test Identity's key file.</summary>
    public const string KeyPassphrase = "test-key-passphrase";

    /// <summary>The password of every test Identity's data-protection certificate.</summary>
    public const string DataProtectionPassword = "test-data-protection-password";

    public string ConnectionString { get; }

    public string StateDirectory { get; }

    public string KeyFile => Path.Combine(StateDirectory, "keys.json");

    public int Port { get; }

    /// <summary>The issuer: Identity's base URI.</summary>
    public Uri BaseUri { get; }

    /// <summary>Applies the migrations (as <c>--migrate</c> does), then starts the server, which seeds.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var options = new DbContextOptionsBuilder<HubIdentityDbContext>();
        IdentityDatabase.Configure(options, ConnectionString);
        await using (var db = new HubIdentityDbContext(options.Options))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        StartServer();
    }

    /// <summary>An HttpClient on the real port, without cookies or redirects.</summary>
    public HttpClient CreateRawClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseUri };

    internal HeadlessLogin CreateBrowser() => new(BaseUri);

    /// <summary>The development secret of a confidential client.</summary>
    public string ClientSecret(string clientId) => Services.GetRequiredService<DevelopmentSecrets>().ClientSecret(clientId);

    public string DemoPassword => Services.GetRequiredService<DevelopmentSecrets>().DemoPassword;

    public string DemoTotpSecret => Services.GetRequiredService<DevelopmentSecrets>().DemoTotpSecret;

    /// <summary>Ensures the demo user of <paramref name="agency"/> in <paramref name="role"/> and returns its user name.</summary>
    public async Task<string> DemoUserAsync(string agency, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<DemoUsers>().EnsureAsync(agency, role, CancellationToken.None);
        return user.UserName!;
    }

    /// <summary>Creates a local account as <c>./hub identity user add</c> does; returns its one-time credentials.</summary>
    internal async Task<LocalAccountCredentials> LocalAccountAsync(string agency, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LocalAccounts>().CreateAsync(
            new NewLocalAccount(agency, $"{role}-{Guid.NewGuid():N}", [role], Leo: true, Cfr28: true, "Test User"), "test", CancellationToken.None);
    }

    /// <summary>Changes a stored account directly, as an administrator's edit (or an attacker's) would.</summary>
    internal async Task UpdateUserAsync(string userName, Action<HubUser> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<HubUser>>();
        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException($"No user {userName}.");
        change(user);
        LocalAccounts.Check(await users.UpdateAsync(user));
    }

    /// <summary>Resets a local account's credentials as <c>./hub identity user reset</c> does.</summary>
    internal async Task<LocalAccountCredentials> ResetLocalAccountAsync(string userName)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LocalAccounts>().ResetCredentialsAsync(userName, "test", CancellationToken.None);
    }

    /// <summary>A client-credentials grant: the token response's status and JSON body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ClientCredentialsAsync(string clientId, string? secret, string scope = "api")
    {
        using var client = CreateRawClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["scope"] = scope };
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }
        using var response = await client.PostAsync(new Uri("connect/token", UriKind.Relative), new FormUrlEncodedContent(form));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The audit rows, oldest first.</summary>
    internal async Task<List<AuditEvent>> AuditAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<HubIdentityDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
    }

    internal async Task<T> WithDatabaseAsync<T>(Func<HubIdentityDbContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<HubIdentityDbContext>());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>The agencies every test Identity registers.</summary>
public static class TestAgencies
{
    public const string CityPolice = "TX0990100";
    public const string CountySheriff = "TX0990200";
    public const string Shelter = "TX0990500";
}
