using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Provisioner;

/// <summary>Wires the provisioner.</summary>
public static class ProvisionerExtensions
{
    /// <summary>The Gateway's database, as the provisioner's role (<c>ConnectionStrings:hubdb</c>).</summary>
    public const string RegistryDatabase = "hubdb";

    /// <summary>Identity's database, as the provisioner's role (<c>ConnectionStrings:identitydb</c>).</summary>
    public const string IdentityDatabase = "identitydb";

    /// <summary>Registers the options, both databases, the management API client and the reconcile loop.</summary>
    public static WebApplicationBuilder AddProvisionerServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<ProvisionerOptions>(ProvisionerOptions.SectionName)
            .Validate<IHostEnvironment>((o, environment) => o.ManagementUri is null
                    || o.ManagementUri.Scheme == Uri.UriSchemeHttps
                    || (environment.IsDevelopment() && o.ManagementUri.IsLoopback),
                $"{ProvisionerOptions.SectionName}:ManagementUri must be https:// (plain http only to a loopback broker in Development): it carries the broker administration credential.");
        builder.Services.TryAddSingleton(TimeProvider.System);
        foreach (var name in new[] { RegistryDatabase, IdentityDatabase })
        {
            builder.Services.AddRequiredConnectionString(name);
            builder.Services.AddKeyedSingleton(name, (services, key) => NpgsqlDataSource.Create(
                services.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get((string)key!).Value));
        }
        builder.Services.AddHttpClient<BrokerAdministration>((services, http) =>
        {
            var options = services.GetRequiredService<IOptions<ProvisionerOptions>>().Value;
            http.BaseAddress = options.ManagementUri;
            http.Timeout = TimeSpan.FromSeconds(30);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.AdminUser}:{options.AdminPassword}")));
        });
        builder.Services.AddSingleton<Registry>();
        builder.Services.AddSingleton<IdentityAgencies>();
        builder.Services.AddSingleton<AgencySecrets>();
        builder.Services.AddTransient<AgencyReconciler>();
        builder.Services.AddSingleton<ProvisionerWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProvisionerWorker>());
        builder.Services.AddHealthChecks()
            .AddPostgresReadiness(RegistryDatabase)
            .AddPostgresReadiness(IdentityDatabase);
        return builder;
    }
}
