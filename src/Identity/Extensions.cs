using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.Identity.Federation;
using SharingHub.Identity.Keys;
using SharingHub.Identity.Seeding;
using SharingHub.Identity.Tokens;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity;

/// <summary>Wires the Identity host's features, once each.</summary>
public static class Extensions
{
    /// <summary>Name of Identity's PostgreSQL connection string (<c>ConnectionStrings:identitydb</c>).</summary>
    public const string DatabaseConnectionName = "identitydb";

    /// <summary>Registers Identity's store, OpenID Connect server, federation client, accounts, audit and seeding.</summary>
    public static WebApplicationBuilder AddIdentityServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Environment.IsDevelopment())
        {
            builder.Configuration.AddDevelopmentDefaults(builder.Environment);
        }

        var services = builder.Services;
        services.AddRequiredConnectionString(DatabaseConnectionName);
        services.AddHealthChecks().AddPostgresReadiness(DatabaseConnectionName);
        services.AddDbContextFactory<HubIdentityDbContext>((sp, o) => IdentityDatabase.Configure(o,
            sp.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(DatabaseConnectionName).Value));
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);

        services.AddValidatedOptions<HubTokenOptions>(HubTokenOptions.SectionName);
        services.AddValidatedOptions<AccountOptions>(AccountOptions.SectionName);
        services.AddValidatedOptions<FederationOptions>(FederationOptions.SectionName)
            .Validate(f => f.Providers.TrueForAll(p => p.Rules.TrueForAll(r => r.Roles.TrueForAll(
                    ServiceDefaults.Authentication.HubRoles.PersonRoles.Contains))),
                $"{FederationOptions.SectionName}:Providers: a rule grants an unknown role (officer, analyst, supervisor, admin, advocate).")
            .Validate(f => f.Providers.Select(p => p.Agency).Distinct(StringComparer.Ordinal).Count() == f.Providers.Count,
                $"{FederationOptions.SectionName}:Providers: an agency has more than one provider.");
        services.AddValidatedOptions<SeedingOptions>(SeedingOptions.SectionName);
        services.AddValidatedOptions<KeyOptions>(KeyOptions.SectionName);

        services.AddAccounts();
        services.AddTokenServer();
        services.AddFederation();

        services.AddScoped<AuditLog>();
        services.AddScoped<Seeder>();
        services.AddScoped<DemoUsers>();
        services.AddSingleton<DevelopmentSecrets>();
        services.AddHostedService<SeedOnStartup>();
        services.AddBrowserClientCors();
        return builder;
    }

    /// <summary>Maps Identity's HTTP endpoints.</summary>
    public static WebApplication MapIdentityEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Before authentication: OpenIddict answers its endpoints from the authentication middleware.
        app.UseBrowserClientCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapGet("/", () => Results.Redirect(AccountEndpoints.LoginPath));
        app.MapAccountEndpoints();
        app.MapFederationEndpoints();
        app.MapTokenEndpoints();
        return app;
    }

    /// <summary>Applies pending EF Core migrations to the Identity database (<c>--migrate</c>).</summary>
    public static async Task MigrateIdentityDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubIdentityDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }

    private static void AddAccounts(this IServiceCollection services)
    {
        services.AddIdentityCore<HubUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddUserStore<HubUserStore>();
        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountOptions>>((identity, accounts) =>
        {
            identity.Lockout.MaxFailedAccessAttempts = accounts.Value.MaxFailedAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(accounts.Value.LockoutMinutes);
        });
        services.AddScoped<LocalLogin>();
        services.AddScoped<SubjectResolver>();
        services.AddLogonRateLimit();
        services.AddScoped<LocalAccounts>();

        services.AddAuthentication(AccountEndpoints.SessionScheme)
            .AddCookie(AccountEndpoints.SessionScheme, o =>
            {
                o.LoginPath = AccountEndpoints.LoginPath;
                o.Cookie.Name = "sharinghub.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
            });
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(AccountEndpoints.SessionScheme)
            .Configure<IOptions<AccountOptions>, IOptions<HubTokenOptions>>((cookie, accounts, tokens) =>
            {
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(accounts.Value.SessionMinutes);
                cookie.Cookie.SecurePolicy = tokens.Value.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            });
        services.AddAuthorization();
        services.AddAntiforgery(o => o.Cookie.Name = "sharinghub.antiforgery");

        // Cookies, antiforgery tokens and TOTP keys stay readable across restarts and replicas (keys in PostgreSQL),
        // and only with the certificate: each key is encrypted with it at rest.
        services.AddDataProtection().SetApplicationName("SharingHub.Identity");
        services.AddValidatedOptions<KeyProtectionOptions>(KeyProtectionOptions.SectionName);
        services.AddSingleton<KeyProtectionCertificate>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IServiceScopeFactory>());
            o.XmlEncryptor = new CertificateKeyEncryptor(sp.GetRequiredService<KeyProtectionCertificate>(),
                sp.GetRequiredService<ILoggerFactory>());
        }));
        services.AddHostedService<TotpKeyEncryption>();
    }

    private static void AddTokenServer(this IServiceCollection services)
    {
        services.AddSingleton<KeyRing>();
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<HubIdentityDbContext>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris(TokenEndpoints.AuthorizationPath)
                    .SetTokenEndpointUris(TokenEndpoints.TokenPath)
                    .SetIntrospectionEndpointUris(TokenEndpoints.IntrospectionPath)
                    .SetRevocationEndpointUris(TokenEndpoints.RevocationPath)
                    .SetUserInfoEndpointUris(TokenEndpoints.UserInfoPath)
                    .SetEndSessionEndpointUris(TokenEndpoints.EndSessionPath);
                o.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow();
                o.RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, HubTokenOptions.ApiScope);
                // Resource servers validate access tokens locally with the published keys, so they are signed
                // JWTs, not encrypted ones. Codes and refresh tokens stay encrypted.
                o.DisableAccessTokenEncryption();
                o.AddEventHandler(TokenAuditHandler.Descriptor);
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
            });
        services.AddOptions<OpenIddictServerOptions>().Configure<KeyRing, IOptions<HubTokenOptions>>((server, keys, tokens) =>
        {
            server.SigningCredentials.AddRange(keys.SigningCredentials());
            server.EncryptionCredentials.AddRange(keys.EncryptingCredentials());
            server.Issuer = tokens.Value.Issuer;
            // S256 only: a "plain" challenge is the verifier itself, so anyone who sees the authorization request
            // (logs, a proxy, another app on the device) could redeem the code.
            server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
            server.AccessTokenLifetime = TimeSpan.FromMinutes(tokens.Value.AccessTokenMinutes);
            server.IdentityTokenLifetime = TimeSpan.FromMinutes(tokens.Value.IdentityTokenMinutes);
            server.RefreshTokenLifetime = TimeSpan.FromHours(tokens.Value.RefreshTokenHours);
            server.AuthorizationCodeLifetime = TimeSpan.FromSeconds(tokens.Value.AuthorizationCodeSeconds);
            // A refresh token is single-use: a replay revokes the whole chain (no grace period).
            server.RefreshTokenReuseLeeway = TimeSpan.Zero;
        });
        services.AddOptions<OpenIddictServerAspNetCoreOptions>().Configure<IOptions<HubTokenOptions>>((aspnet, tokens) =>
            aspnet.DisableTransportSecurityRequirement = !tokens.Value.RequireHttps);
    }

    private static void AddFederation(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddClient(o =>
            {
                o.AllowAuthorizationCodeFlow();
                // Error passthrough: refused upstream responses reach the callback endpoint, which audits them.
                o.UseAspNetCore().EnableRedirectionEndpointPassthrough().EnableErrorPassthrough();
                o.UseSystemNetHttp().SetProductInformation(typeof(Extensions).Assembly);
            });
        services.AddOptions<OpenIddictClientOptions>().Configure<KeyRing, IOptions<FederationOptions>>((client, keys, federation) =>
        {
            client.SigningCredentials.AddRange(keys.SigningCredentials());
            client.EncryptionCredentials.AddRange(keys.EncryptingCredentials());
            if (federation.Value.Providers.Count == 0)
            {
                // OpenIddict wants a redirection endpoint for the code flow even with no provider registered.
                client.RedirectionEndpointUris.Add(new Uri(FederationEndpoints.CallbackPrefix.TrimEnd('/'), UriKind.Relative));
            }
            foreach (var provider in federation.Value.Providers)
            {
                var callback = new Uri(FederationEndpoints.CallbackPrefix + provider.Agency, UriKind.Relative);
                client.RedirectionEndpointUris.Add(callback);
                var registration = new OpenIddictClientRegistration
                {
                    RegistrationId = provider.Agency,
                    ProviderName = provider.Agency,
                    ProviderDisplayName = provider.DisplayName ?? provider.Agency,
                    Issuer = provider.Issuer,
                    ClientId = provider.ClientId,
                    ClientSecret = provider.ClientSecret,
                    // One redirect URI per provider mitigates mix-up attacks.
                    RedirectUri = callback,
                };
                registration.Scopes.UnionWith(provider.Scopes);
                client.Registrations.Add(registration);
            }
        });
        services.AddOptions<OpenIddictClientAspNetCoreOptions>().Configure<IOptions<HubTokenOptions>>((aspnet, tokens) =>
        {
            aspnet.DisableTransportSecurityRequirement = !tokens.Value.RequireHttps;
            if (!tokens.Value.RequireHttps)
            {
                // Plain-HTTP development only: a Secure cookie would never come back, and SameSite=None needs Secure.
                aspnet.CookieBuilder.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                aspnet.CookieBuilder.SameSite = SameSiteMode.Lax;
            }
        });
    }

    /// <summary>
    /// DEVELOPMENT DEFAULTS, added beneath every other configuration source so anything configured wins:
    /// keys, the data-protection certificate and secrets under the checkout's <c>.hub/identity/</c>, the demo agencies, a connector per agency,
    /// and plain HTTP on loopback.
    /// </summary>
    private static void AddDevelopmentDefaults(this ConfigurationManager configuration, IHostEnvironment environment)
    {
        var root = DevelopmentPaths.CheckoutRoot(environment.ContentRootPath);
        var state = Environment.GetEnvironmentVariable("HUB_STATE") is { Length: > 0 } s ? s : Path.Combine(root ?? environment.ContentRootPath, ".hub");
        var defaults = new Dictionary<string, string?>
        {
            [$"{KeyOptions.SectionName}:File"] = Path.Combine(state, "identity", "keys.json"),
            [$"{KeyOptions.SectionName}:CreateIfMissing"] = "true",
            // The passphrase and certificate password come from the environment (./hub exports them from .hub/secrets).
            [$"{KeyProtectionOptions.SectionName}:CertificateFile"] = Path.Combine(state, "identity", "data-protection.pfx"),
            [$"{KeyProtectionOptions.SectionName}:CreateIfMissing"] = "true",
            [$"{SeedingOptions.SectionName}:DevelopmentSecretsFile"] = Path.Combine(state, "identity", "dev-secrets.json"),
            [$"{SeedingOptions.SectionName}:DemoConnectors"] = "true",
            [$"{HubTokenOptions.SectionName}:RequireHttps"] = "false",
        };
        if (root is not null && File.Exists(Path.Combine(root, "demo", "agencies.json")))
        {
            defaults[$"{SeedingOptions.SectionName}:AgenciesFile"] = Path.Combine(root, "demo", "agencies.json");
        }
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
    }
}

/// <summary>Finds the checkout in development: <c>HUB_ROOT</c> (set by ./hub), else the folder holding SharingHub.sln.</summary>
internal static class DevelopmentPaths
{
    public static string? CheckoutRoot(string contentRoot)
    {
        if (Environment.GetEnvironmentVariable("HUB_ROOT") is { Length: > 0 } root)
        {
            return root;
        }
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SharingHub.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }
}
