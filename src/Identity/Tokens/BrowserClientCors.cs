using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Seeding;

namespace SharingHub.Identity.Tokens;

/// <summary>
/// Cross-origin access for browser clients (<see cref="ClientSeed.Browser"/>): a page served by another host (the
/// Gateway's <c>/inbox</c>) fetches the discovery document and keys and redeems its code from script. Only those
/// endpoints answer cross-origin, only to the origins of the browser clients' redirect URIs, and never with
/// credentials (cookies): the login itself is a top-level navigation, not a script call.
/// </summary>
internal static class BrowserClientCors
{
    public const string PolicyName = "browser-clients";

    private static readonly string[] Paths =
    [
        "/.well-known/",
        "/" + TokenEndpoints.TokenPath,
        "/" + TokenEndpoints.RevocationPath,
        "/" + TokenEndpoints.UserInfoPath,
    ];

    public static IServiceCollection AddBrowserClientCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<SeedingOptions>>((cors, seeding) =>
        {
            var origins = Origins(seeding.Value);
            cors.AddPolicy(PolicyName, policy =>
            {
                if (origins.Length > 0)
                {
                    policy.WithOrigins(origins);
                }
                policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
                    .WithHeaders("Content-Type", "Authorization")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            });
        });
        return services;
    }

    /// <summary>Answers CORS (preflights included) on the endpoints a browser client calls from script.</summary>
    public static IApplicationBuilder UseBrowserClientCors(this IApplicationBuilder app) =>
        app.UseWhen(context => Paths.Any(p => context.Request.Path.StartsWithSegments(p.TrimEnd('/'), StringComparison.Ordinal)),
            branch => branch.UseCors(PolicyName));

    /// <summary>The origins (scheme, host, port) of the browser clients' redirect URIs.</summary>
    public static string[] Origins(SeedingOptions seeding) => seeding.Clients
        .Where(c => c.Browser && c.Public)
        .SelectMany(c => c.RedirectUris)
        .Where(u => u.IsAbsoluteUri)
        .Select(u => u.GetLeftPart(UriPartial.Authority))
        .Distinct(StringComparer.Ordinal)
        .ToArray();
}
