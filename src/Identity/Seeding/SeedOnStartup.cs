using Microsoft.Extensions.Options;

namespace SharingHub.Identity.Seeding;

/// <summary>Applies the seed before the host starts listening, when <see cref="SeedingOptions.OnStartup"/> is set.</summary>
internal sealed class SeedOnStartup(IServiceScopeFactory scopes, IOptions<SeedingOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.OnStartup)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Seeder>().SeedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
