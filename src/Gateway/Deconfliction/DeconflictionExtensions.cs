using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;
using SharingHub.Matching;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>Wiring of the Deconfliction feature.</summary>
public static class DeconflictionExtensions
{
    /// <summary>
    /// Registers incremental matching: the engine (options <c>Matching</c>), blocking keys and pending markers with each
    /// stored batch (<see cref="IStoredRecordsHandler"/>), the matching workers that match them, the subject clusters, the
    /// re-keying after a key-scheme upgrade and the adjudication service.
    /// </summary>
    public static IServiceCollection AddDeconfliction(this IServiceCollection services, string connectionName)
    {
        services.AddValidatedOptions<DeconflictionOptions>(DeconflictionOptions.SectionName);
        services.AddValidatedOptions<MatchingOptions>(MatchingOptions.SectionName);
        services.AddSingleton(sp => new MatchingEngine(sp.GetRequiredService<IOptions<MatchingOptions>>().Value));
        services.AddSingleton(sp => new MatchableLoader(sp.GetRequiredService<MatchingEngine>()));
        services.AddSingleton(sp =>
        {
            // The same few statements run for every batch: prepared once per connection, they skip parsing and planning;
            // and a connection goes back to the pool without Npgsql's seven-statement reset (Extensions.WithAutoPrepare):
            // the pool's only session state is the background jobs' advisory locks, which AdvisoryLock releases itself.
            var builder = new NpgsqlDataSourceBuilder(Extensions.WithAutoPrepare(
                sp.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(connectionName).Value));
            // Matching writes only derived data (matches, their events, cleared markers), which a matching worker recomputes
            // from the markers if a crash loses a commit: its commits need not wait for the WAL flush.
            var options = builder.ConnectionStringBuilder.Options;
            builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options) ? "-c synchronous_commit=off" : options + " -c synchronous_commit=off";
            return builder.Build();
        });
        services.AddSingleton<DeconflictionMetrics>();
        services.AddSingleton<BlockingKeyWriter>();
        services.AddSingleton<NameFrequencyCache>();
        services.AddHostedService(sp => sp.GetRequiredService<NameFrequencyCache>());
        services.AddSingleton<SubjectClusterMaintainer>();
        services.AddHostedService(sp => sp.GetRequiredService<SubjectClusterMaintainer>());
        services.AddSingleton<IncrementalMatcher>();
        services.AddScoped<IStoredRecordsHandler, DeconflictionHandler>();
        services.AddSingleton<MatchBacklog>();
        services.AddSingleton<MatchWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<MatchWorkers>());
        services.AddSingleton<KeySchemeUpgrader>();
        services.AddHostedService(sp => sp.GetRequiredService<KeySchemeUpgrader>());
        services.AddScoped(sp => new AdjudicationService(sp.GetRequiredService<HubDbContext>(), sp.GetRequiredService<MatchableLoader>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
