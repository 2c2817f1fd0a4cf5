using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Authorization;

/// <summary>Token validation, the hub principal, policies and the <c>/me</c> endpoint.</summary>
public static partial class AuthorizationExtensions
{
    /// <summary>
    /// Validates bearer tokens locally (OpenIddict validation: JWT signature with Identity's published keys,
    /// issuer, audience, lifetime) and registers the role policies and operation handlers. Every data endpoint must require
    /// <see cref="HubPolicies.HubUser"/> or stricter.
    /// </summary>
    public static IServiceCollection AddHubAuthorization(this IServiceCollection services)
    {
        services.AddValidatedOptions<HubAuthenticationOptions>(HubAuthenticationOptions.SectionName)
            // Discovery and keys fetched over plain HTTP could be swapped on the way, and with them whose tokens are
            // believed: outside Development the authority's metadata must be HTTPS (RequireHttpsMetadata).
            .Validate<IHostEnvironment>((o, environment) => environment.IsDevelopment() || o.Authority?.Scheme == Uri.UriSchemeHttps,
                $"{HubAuthenticationOptions.SectionName}:Authority must be an https:// URI outside Development (its discovery document and keys are fetched from it).");
        services.AddOpenIddict()
            .AddValidation(o =>
            {
                o.UseSystemNetHttp();
                o.UseAspNetCore();
            });
        services.AddOptions<OpenIddictValidationOptions>().Configure<IOptions<HubAuthenticationOptions>>((validation, hub) =>
        {
            validation.Issuer = hub.Value.Authority;
            validation.Audiences.Add(hub.Value.Audience);
        });
        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);

        services.AddSingleton<IAuthorizationHandler, RecordOperationHandler>();
        services.AddSingleton<IAuthorizationHandler, MatchOperationHandler>();
        services.AddSingleton<IAuthorizationHandler, AlertOperationHandler>();
        services.AddSingleton<IAuthorizationHandler, EnforcementDataHandler>();
        services.AddSingleton<IAuthorizationHandler, Agencies.AgencyAdministrationHandler>();
        services.AddSingleton<IAuthorizationHandler, Agencies.ActiveAgencyHandler>();
        // A disabled agency's users are refused wherever a hub user is required (ADR-014).
        var hubUser = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(HubClaimTypes.Agency)
            .AddRequirements(Agencies.ActiveAgencyRequirement.Instance).Build();
        services.AddAuthorizationBuilder()
            // Deny by default: an endpoint that names no policy still needs a hub user; only endpoints marked
            // AllowAnonymous (the health probes and the service banner) are open.
            .SetFallbackPolicy(hubUser)
            .AddPolicy(HubPolicies.HubUser, hubUser)
            .AddPolicy(HubPolicies.EnforcementData, p => p.RequireAuthenticatedUser()
                .AddRequirements(EnforcementDataRequirement.Instance));
        var builder = services.AddAuthorizationBuilder();
        foreach (var role in HubRoles.All)
        {
            builder.AddPolicy(HubPolicies.ForRole(role), p => p.RequireAuthenticatedUser()
                .RequireClaim(HubClaimTypes.Agency).RequireClaim(HubClaimTypes.Role, role)
                .AddRequirements(Agencies.ActiveAgencyRequirement.Instance));
        }
        return services;
    }

    /// <summary>Adds authentication, a log line for each rejected bearer token, and authorization to the pipeline.</summary>
    public static WebApplication UseHubAuthorization(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated != true && context.Request.Headers.Authorization.Count > 0)
            {
                var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
                var logger = context.RequestServices.GetRequiredService<ILogger<HubPrincipal>>();
                LogTokenRejected(logger, context.Connection.RemoteIpAddress?.ToString(),
                    result.Properties?.GetString(OpenIddictValidationAspNetCoreConstants.Properties.Error),
                    result.Properties?.GetString(OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription));
            }
            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps <c>GET /me</c>: the caller's hub principal as JSON.</summary>
    public static IEndpointRouteBuilder MapMeEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/me", (ClaimsPrincipal user) => HubPrincipal.From(user) is { } principal
                ? Results.Ok(principal)
                : Results.Forbid())
            .RequireAuthorization(HubPolicies.HubUser);
        return endpoints;
    }

    // Identifiers and the validation error only: never the token.
    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning,
        Message = "Rejected a bearer token from {RemoteAddress}: {Error} {ErrorDescription}")]
    private static partial void LogTokenRejected(ILogger logger, string? remoteAddress, string? error, string? errorDescription);
}
