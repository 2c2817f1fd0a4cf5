using Microsoft.Extensions.DependencyInjection.Extensions;
using SharingHub.Gateway.Data;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Alerts;

/// <summary>Wiring of the Alerts feature.</summary>
public static class AlertsExtensions
{
    /// <summary>Registers alerts: options <c>Alerts</c>, acknowledgement, escalation, the relay to the agencies' alert queues and metrics (raising is the matcher's, in its transaction).</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AlertOptions>(AlertOptions.SectionName);
        services.AddSingleton<AlertMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped(sp => new AlertService(sp.GetRequiredService<HubDbContext>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AlertMetrics>()));
        services.AddSingleton<AlertEscalator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEscalator>());
        services.AddSingleton<AlertRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertRelay>());
        return services;
    }
}
