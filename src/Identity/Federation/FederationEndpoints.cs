using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Client.AspNetCore;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity.Federation;

/// <summary>Logon through an agency's own identity provider (the hub is its OpenID Connect client).</summary>
internal static class FederationEndpoints
{
    public const string CallbackPrefix = "federation/callback/";

    public static IEndpointRouteBuilder MapFederationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/federation/login/{agency}", async (string agency, [FromQuery] string? returnUrl,
            HttpContext context, IOptions<FederationOptions> options, AuditLog audit) =>
        {
            var provider = options.Value.Providers.Find(p => p.Agency == agency);
            if (provider is null)
            {
                await audit.WriteAsync(AuditEvents.FederatedLogon, AuditOutcome.Failure, null, null,
                    $"no identity provider is registered for agency '{agency}'", context.RequestAborted);
                return LoginPage.Message(context, "Unknown identity provider",
                    "No identity provider is registered for that agency.", StatusCodes.Status404NotFound);
            }
            var properties = new AuthenticationProperties
            {
                RedirectUri = AccountEndpoints.LocalUrl(returnUrl) ?? "/",
                Items = { [OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = provider.Agency },
            };
            return Results.Challenge(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
        });

        endpoints.MapMethods("/" + CallbackPrefix + "{agency}", [HttpMethods.Get, HttpMethods.Post],
            async (string agency, HttpContext context, IOptions<FederationOptions> options,
                HubIdentityDbContext db, AuditLog audit) =>
            {
                var provider = options.Value.Providers.Find(p => p.Agency == agency);
                if (provider is null)
                {
                    return await RefuseAsync(context, audit, agency, null, "no identity provider is registered for this agency");
                }
                var result = await context.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
                if (!result.Succeeded || result.Principal is null)
                {
                    var error = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.Error);
                    var description = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.ErrorDescription);
                    return await RefuseAsync(context, audit, agency, null,
                        $"upstream logon rejected: {error ?? result.Failure?.Message ?? "no result"} {description}".Trim());
                }

                // The registration the state token was issued for must be the one this callback belongs to.
                var registration = result.Principal.GetClaim(Claims.Private.RegistrationId);
                var upstreamSubject = result.Principal.GetClaim(Claims.Subject);
                if (registration != provider.Agency)
                {
                    return await RefuseAsync(context, audit, agency, upstreamSubject,
                        $"callback of {agency} received a response for registration '{registration}'");
                }
                var agencyRow = await db.Agencies.FindAsync([provider.Agency], context.RequestAborted);
                if (agencyRow is null)
                {
                    return await RefuseAsync(context, audit, agency, upstreamSubject,
                        $"agency {provider.Agency} of the provider is not a registered agency");
                }
                if (!agencyRow.IsEnabled)
                {
                    return await RefuseAsync(context, audit, agency, upstreamSubject, Agency.DisabledReason(agencyRow.Code),
                        $"Your agency ({agencyRow.Name}) is disabled in SharingHub: none of its people may sign in until it is enabled again.");
                }

                var mapping = ClaimMapper.Map(provider, agencyRow, result.Principal);
                if (mapping.Subject is null)
                {
                    return await RefuseAsync(context, audit, agency, upstreamSubject, mapping.Reason!);
                }

                await context.SignInAsync(AccountEndpoints.SessionScheme,
                    mapping.Subject.ToCookiePrincipal(AccountEndpoints.SessionScheme));
                await audit.WriteAsync(AuditEvents.FederatedLogon, AuditOutcome.Success, mapping.Subject.Subject, null,
                    $"agency={agency} roles={string.Join(' ', mapping.Subject.Roles)} issuer={provider.Issuer}",
                    context.RequestAborted);
                return Results.Redirect(AccountEndpoints.LocalUrl(result.Properties?.RedirectUri) ?? "/");
            });
        return endpoints;
    }

    private static async Task<IResult> RefuseAsync(HttpContext context, AuditLog audit, string agency,
        string? upstreamSubject, string reason, string? message = null)
    {
        await audit.WriteAsync(AuditEvents.FederatedLogon, AuditOutcome.Failure,
            upstreamSubject is null ? null : $"{agency}:{upstreamSubject}", null, $"agency={agency}: {reason}",
            context.RequestAborted);
        return LoginPage.Message(context, "Sign-in refused",
            message ?? "Your agency's identity provider did not sign you in to SharingHub. Contact your administrator.",
            StatusCodes.Status403Forbidden);
    }
}
