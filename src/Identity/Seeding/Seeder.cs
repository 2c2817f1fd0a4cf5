using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.Identity.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity.Seeding;

/// <summary>
/// Applies the configured agencies, the API scope and the OAuth clients. Idempotent: what already matches
/// is left alone, and only real changes are written and audited.
/// </summary>
internal sealed class Seeder(
    HubIdentityDbContext db,
    IOpenIddictApplicationManager applications,
    IOpenIddictScopeManager scopes,
    IOptions<SeedingOptions> options,
    DevelopmentSecrets developmentSecrets,
    AuditLog audit,
    ILogger<Seeder> logger)
{
    /// <summary>The application property holding the agency code of a client-credentials client.</summary>
    public const string AgencyProperty = "agency";

    private const string Actor = "seeding";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var agencies = await SeedAgenciesAsync(cancellationToken);
        await SeedScopesAsync(cancellationToken);
        foreach (var client in Clients(agencies))
        {
            await SeedClientAsync(client, agencies, cancellationToken);
        }
        Log.Seeded(logger, agencies.Count);
    }

    /// <summary>The configured clients, plus a connector per agency when demo connectors are on.</summary>
    public IEnumerable<ClientSeed> Clients(IEnumerable<AgencySeed> agencies)
    {
        var configured = options.Value.Clients;
        if (!options.Value.DemoConnectors)
        {
            return configured;
        }
        var demo = agencies
            .Select(a => new ClientSeed
            {
                ClientId = DemoConnectorId(a.Code),
                DisplayName = $"Demo connector of {a.Name}",
                Grants = [GrantTypes.ClientCredentials],
                Agency = a.Code,
            })
            .Where(d => !configured.Exists(c => c.ClientId == d.ClientId));
        return configured.Concat(demo);
    }

    public static string DemoConnectorId(string agencyCode) => $"connector-{agencyCode.ToLowerInvariant()}";

    /// <summary>The configured agencies and those of <see cref="SeedingOptions.AgenciesFile"/>.</summary>
    public List<AgencySeed> ConfiguredAgencies()
    {
        var all = new List<AgencySeed>(options.Value.Agencies);
        if (!string.IsNullOrWhiteSpace(options.Value.AgenciesFile))
        {
            var file = JsonSerializer.Deserialize<AgenciesFile>(
                File.ReadAllBytes(options.Value.AgenciesFile), AgenciesFile.Json)
                ?? throw new InvalidDataException($"{options.Value.AgenciesFile} is empty.");
            all.AddRange(file.Agencies.Where(a => !all.Exists(b => b.Code == a.Code)));
        }
        return all;
    }

    private async Task<List<AgencySeed>> SeedAgenciesAsync(CancellationToken cancellationToken)
    {
        var seeds = ConfiguredAgencies();
        var existing = await db.Agencies.ToDictionaryAsync(a => a.Code, cancellationToken);
        foreach (var seed in seeds)
        {
            if (!existing.TryGetValue(seed.Code, out var agency))
            {
                db.Agencies.Add(new Agency { Code = seed.Code, Name = seed.Name, Kind = seed.Kind });
                await db.SaveChangesAsync(cancellationToken);
                await audit.WriteAsync(AuditEvents.AgencyCreated, AuditOutcome.Success, Actor, null,
                    $"agency={seed.Code} kind={seed.Kind}", cancellationToken);
            }
            else if (agency.Name != seed.Name || agency.Kind != seed.Kind)
            {
                agency.Name = seed.Name;
                agency.Kind = seed.Kind;
                await db.SaveChangesAsync(cancellationToken);
                await audit.WriteAsync(AuditEvents.AgencyUpdated, AuditOutcome.Success, Actor, null,
                    $"agency={seed.Code} kind={seed.Kind}", cancellationToken);
            }
        }
        return seeds;
    }

    private async Task SeedScopesAsync(CancellationToken cancellationToken)
    {
        if (await scopes.FindByNameAsync(HubTokenOptions.ApiScope, cancellationToken) is not null)
        {
            return;
        }
        await scopes.CreateAsync(new OpenIddictScopeDescriptor
        {
            Name = HubTokenOptions.ApiScope,
            DisplayName = "SharingHub API",
            Resources = { HubTokenOptions.ApiAudience },
        }, cancellationToken);
        await audit.WriteAsync(AuditEvents.ScopeCreated, AuditOutcome.Success, Actor, null,
            $"scope={HubTokenOptions.ApiScope}", cancellationToken);
    }

    private async Task SeedClientAsync(ClientSeed seed, List<AgencySeed> agencies, CancellationToken cancellationToken)
    {
        var descriptor = Describe(seed, agencies);
        var application = await applications.FindByClientIdAsync(seed.ClientId, cancellationToken);
        if (application is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
            await audit.WriteAsync(AuditEvents.ClientCreated, AuditOutcome.Success, Actor, seed.ClientId,
                $"grants={string.Join(' ', seed.Grants)} agency={seed.Agency}", cancellationToken);
            return;
        }

        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, application, cancellationToken);
        var secretMatches = descriptor.ClientSecret is null
            || await applications.ValidateClientSecretAsync(application, descriptor.ClientSecret, cancellationToken);
        if (secretMatches && SameRegistration(current, descriptor))
        {
            return;
        }
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        await audit.WriteAsync(AuditEvents.ClientUpdated, AuditOutcome.Success, Actor, seed.ClientId,
            $"grants={string.Join(' ', seed.Grants)} agency={seed.Agency} secretChanged={!secretMatches}",
            cancellationToken);
    }

    private OpenIddictApplicationDescriptor Describe(ClientSeed seed, List<AgencySeed> agencies)
    {
        var grants = seed.Grants.ToHashSet(StringComparer.Ordinal);
        var unknown = grants.Except([GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials]);
        if (unknown.Any())
        {
            throw new InvalidOperationException(
                $"Seeding:Clients '{seed.ClientId}': unsupported grants {string.Join(", ", unknown)}.");
        }
        if (seed.Browser && !seed.Public)
        {
            throw new InvalidOperationException(
                $"Seeding:Clients '{seed.ClientId}': a browser client must be public (a page cannot keep a secret).");
        }
        if (seed.Public && grants.Contains(GrantTypes.ClientCredentials))
        {
            throw new InvalidOperationException(
                $"Seeding:Clients '{seed.ClientId}': a public client cannot use client_credentials.");
        }
        if (grants.Contains(GrantTypes.ClientCredentials) && !agencies.Exists(a => a.Code == seed.Agency))
        {
            throw new InvalidOperationException(
                $"Seeding:Clients '{seed.ClientId}': client_credentials needs Agency set to a registered agency.");
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = seed.ClientId,
            DisplayName = seed.DisplayName ?? seed.ClientId,
            ClientType = seed.Public ? ClientTypes.Public : ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            ClientSecret = seed.Public ? null : ResolveSecret(seed),
        };
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.Prefixes.Scope + HubTokenOptions.ApiScope]);
        if (!seed.Public)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }
        if (grants.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code, Permissions.Scopes.Profile]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }
        if (grants.Contains(GrantTypes.RefreshToken))
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
        }
        if (grants.Contains(GrantTypes.ClientCredentials))
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        }
        descriptor.RedirectUris.UnionWith(seed.RedirectUris);
        descriptor.PostLogoutRedirectUris.UnionWith(seed.PostLogoutRedirectUris);
        if (seed.Agency is not null)
        {
            descriptor.Properties[AgencyProperty] = JsonSerializer.SerializeToElement(seed.Agency);
        }
        return descriptor;
    }

    private string ResolveSecret(ClientSeed seed)
    {
        if (!string.IsNullOrEmpty(seed.Secret))
        {
            return seed.Secret;
        }
        if (!developmentSecrets.IsAvailable)
        {
            throw new InvalidOperationException(
                $"Seeding:Clients '{seed.ClientId}': Secret is required (set it from a secret store or the environment).");
        }
        return developmentSecrets.ClientSecret(seed.ClientId);
    }

    private static bool SameRegistration(OpenIddictApplicationDescriptor a, OpenIddictApplicationDescriptor b) =>
        a.DisplayName == b.DisplayName
        && a.ClientType == b.ClientType
        && a.ConsentType == b.ConsentType
        && a.Permissions.SetEquals(b.Permissions)
        && a.Requirements.SetEquals(b.Requirements)
        && a.RedirectUris.SetEquals(b.RedirectUris)
        && a.PostLogoutRedirectUris.SetEquals(b.PostLogoutRedirectUris)
        && AgencyOf(a) == AgencyOf(b);

    private static string? AgencyOf(OpenIddictApplicationDescriptor descriptor) =>
        descriptor.Properties.TryGetValue(AgencyProperty, out var value) ? value.GetString() : null;

    private sealed class AgenciesFile
    {
        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
        {
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        };

        public List<AgencySeed> Agencies { get; set; } = [];
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Identity seed applied ({AgencyCount} agencies)")]
    public static partial void Seeded(ILogger logger, int agencyCount);
}
