using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.ServiceDefaults;

namespace SharingHub.Deploy.Tests;

/// <summary>The paths the manifests probe are the ones the hosts map (both call MapDefaultEndpoints).</summary>
public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task MapDefaultEndpoints_ProbedPaths_AreMapped()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddHealthChecks();
        await using var app = builder.Build();

        app.MapDefaultEndpoints();

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.Contains(ManifestRules.LivePath, routes);
        Assert.Contains(ManifestRules.ReadyPath, routes);
    }
}
