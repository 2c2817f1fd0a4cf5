using Microsoft.Extensions.DependencyInjection.Extensions;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Feeds;

/// <summary>Wiring of the change feeds.</summary>
public static class FeedsExtensions
{
    /// <summary>Registers the feed reader and the listener that wakes subscribers at each commit to a feed table (options <c>Feeds</c>).</summary>
    public static IServiceCollection AddChangeFeeds(this IServiceCollection services)
    {
        services.AddValidatedOptions<FeedOptions>(FeedOptions.SectionName);
        services.AddSingleton<FeedSignals>();
        services.AddSingleton<FeedReader>();
        services.AddHostedService<FeedListener>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
