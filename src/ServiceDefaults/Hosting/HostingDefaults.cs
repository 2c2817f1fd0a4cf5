using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Hosting;

/// <summary>
/// What every host does at its edge: errors as ProblemDetails (never a stack trace), forwarded headers from trusted
/// proxies only, and, in Development, loopback-only listening.
/// </summary>
public static class HostingDefaults
{
    /// <summary>
    /// Registers ProblemDetails for every error answer (with the request's trace id), the exception handler's
    /// status mapping, the trusted proxies (<see cref="ProxyOptions"/>) and, in Development, the loopback guard.
    /// </summary>
    public static IServiceCollection AddHostingDefaults(this IServiceCollection services, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // The framework's message for unreadable input names the parameter and the reason, never the input.
            if (context.Exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail = bad.Message;
            }
        });
        services.Configure<ExceptionHandlerOptions>(o =>
        {
            o.StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            // Unreadable input is the caller's mistake, not the host's: no error log for it.
            o.SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException;
        });
        // Minimal APIs throw on unreadable input in every environment, so the exception handler answers it the same
        // way everywhere (by default only Development throws; elsewhere the answer is an empty 400).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.AddValidatedOptions<ProxyOptions>(ProxyOptions.SectionName);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = proxies.Value.ForwardLimit;
            if (proxies.Value.KnownProxies.Count > 0 || proxies.Value.KnownNetworks.Count > 0)
            {
                // Configured proxies replace the loopback default: only they are believed.
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in proxies.Value.KnownProxies)
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }
                foreach (var network in proxies.Value.KnownNetworks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            }
        });

        if (environment.IsDevelopment())
        {
            services.AddTransient<IStartupFilter, DevelopmentLoopbackGuard>();
        }
        return services;
    }

    /// <summary>
    /// Adds, first in the pipeline, the forwarded-headers middleware, the exception handler (ProblemDetails with a
    /// trace id, no stack trace, in every environment) and ProblemDetails bodies for empty error answers.
    /// </summary>
    public static WebApplication UseHostingDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>
/// DEVELOPMENT SAFETY NET: development defaults (demo users, published secrets, plain HTTP) must never face a network.
/// In Development the host refuses to start when an address it is configured to listen on is not loopback.
/// </summary>
internal sealed class DevelopmentLoopbackGuard(IConfiguration configuration) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // The server's addresses hold the configured URLs (--urls, ASPNETCORE_URLS, Urls) by now; Kestrel's own
        // endpoint configuration is read from its section.
        var addresses = app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        var exposed = addresses.Concat(endpoints).Where(a => !IsLoopback(a)).ToList();
        if (exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"In Development the host listens on loopback only, but it is configured for {string.Join(", ", exposed)}. " +
                "Bind to 127.0.0.1, [::1] or localhost, or run in another environment with production settings.");
        }
        next(app);
    };

    internal static bool IsLoopback(string url)
    {
        // BindingAddress understands Kestrel's forms, including wildcards (http://*:80, http://+:80) and unix sockets.
        var binding = BindingAddress.Parse(url);
        if (binding.IsNamedPipe || binding.IsUnixPipe)
        {
            return true;
        }
        return string.Equals(binding.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(binding.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
