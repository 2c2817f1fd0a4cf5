using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Agencies;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Data;
using SharingHub.Identity.Seeding;
using SharingHub.ServiceDefaults.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingHub.Identity.Tokens;

/// <summary>
/// The OpenID Connect endpoints that need the hub's logic (the rest, such as discovery, JWKS, introspection
/// and revocation, OpenIddict serves itself).
/// </summary>
internal static class TokenEndpoints
{
    public const string AuthorizationPath = "connect/authorize";
    public const string TokenPath = "connect/token";
    public const string IntrospectionPath = "connect/introspect";
    public const string RevocationPath = "connect/revoke";
    public const string UserInfoPath = "connect/userinfo";
    public const string EndSessionPath = "connect/endsession";

    /// <summary>HttpContext item naming the subject a token response is for (read by the audit handler).</summary>
    public const string AuditActorItem = "SharingHub.AuditActor";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/" + AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)AuthorizeAsync);
        endpoints.MapPost("/" + TokenPath, (Delegate)ExchangeAsync);
        endpoints.MapMethods("/" + UserInfoPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfoAsync);
        endpoints.MapMethods("/" + EndSessionPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)EndSessionAsync);
        return endpoints;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, IOpenIddictScopeManager scopes,
        SubjectResolver resolver, AuditLog audit)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await context.AuthenticateAsync(AccountEndpoints.SessionScheme);
        var subject = session.Succeeded ? HubSubject.FromPrincipal(session.Principal) : null;
        if (subject is not null && !request.HasPromptValue(PromptValues.Login))
        {
            // The cookie names the subject; what it may do is read again from the account or the registration.
            var resolution = await resolver.ResolveAsync(subject, context.RequestAborted);
            if (resolution.Subject is null)
            {
                await audit.WriteAsync(subject.IsLocal ? AuditEvents.LocalLogon : AuditEvents.FederatedLogon, AuditOutcome.Failure,
                    subject.Subject, request.ClientId, $"session refused at authorization: {resolution.Reason}", context.RequestAborted);
                await context.SignOutAsync(AccountEndpoints.SessionScheme);
                if (resolution.AgencyIsDisabled)
                {
                    // Signing in again cannot help: the client is told why, with access_denied (RFC 6749, 4.1.2.1).
                    return Forbid(Errors.AccessDenied, $"The user may not sign in: {resolution.Reason}.");
                }
            }
            subject = resolution.Subject;
        }
        if (subject is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }
            // prompt=login: drop the session so the login page really asks again.
            if (subject is not null)
            {
                await context.SignOutAsync(AccountEndpoints.SessionScheme);
            }
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryWithoutPrompt(context.Request.Query);
            return Results.Redirect($"{AccountEndpoints.LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var identity = subject.ToTokenIdentity();
        identity.SetScopes(request.GetScopes());
        identity.SetResources(await ToListAsync(scopes.ListResourcesAsync(identity.GetScopes(), context.RequestAborted)));
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null,
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> ExchangeAsync(HttpContext context, IOpenIddictApplicationManager applications,
        IOpenIddictScopeManager scopes, SubjectResolver resolver, HubIdentityDbContext db)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        context.Items[AuditActorItem] = request.ClientId;

        if (request.IsClientCredentialsGrantType())
        {
            // OpenIddict has authenticated the client and checked its grant and scope permissions.
            var application = await applications.FindByClientIdAsync(request.ClientId!, context.RequestAborted)
                ?? throw new InvalidOperationException("The authenticated client cannot be found.");
            var properties = await applications.GetPropertiesAsync(application, context.RequestAborted);
            var agency = properties.TryGetValue(Seeder.AgencyProperty, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            var agencyRow = agency is null ? null : await db.Agencies.FindAsync([agency], context.RequestAborted);
            if (agencyRow is null)
            {
                return Forbid(Errors.UnauthorizedClient, "The client is not bound to a registered agency.");
            }
            if (!agencyRow.IsEnabled)
            {
                // The client authenticated, but its agency may get no token: unauthorized_client (RFC 6749, 5.2).
                return Forbid(Errors.UnauthorizedClient, $"The client may not get tokens: {Agency.DisabledReason(agencyRow.Code)}.");
            }
            var connector = new HubSubject(request.ClientId!, await applications.GetDisplayNameAsync(application, context.RequestAborted),
                agencyRow.Code, [HubRoles.Connector], Leo: false, Cfr28: false, HubSubject.ClientProvider, []);
            var identity = connector.ToTokenIdentity();
            identity.SetScopes(request.GetScopes());
            identity.SetResources(await ToListAsync(scopes.ListResourcesAsync(identity.GetScopes(), context.RequestAborted)));
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null,
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = result.Principal is null ? null : HubSubject.FromPrincipal(result.Principal);
            if (subject is null)
            {
                return Forbid(Errors.InvalidGrant, "The token is no longer valid.");
            }
            context.Items[AuditActorItem] = subject.Subject;

            // Local accounts are re-read and federated subjects re-mapped at every exchange: a locked, disabled or
            // changed account, or a changed registration, takes effect at the next refresh, not when the token expires.
            var resolution = await resolver.ResolveAsync(subject, context.RequestAborted);
            if (resolution.Subject is null)
            {
                return Forbid(Errors.InvalidGrant, $"The account is no longer allowed to sign in: {resolution.Reason}.");
            }
            subject = resolution.Subject;

            var identity = subject.ToTokenIdentity();
            identity.SetScopes(result.Principal!.GetScopes());
            identity.SetResources(result.Principal!.GetResources());
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null,
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var subject = result.Principal is null ? null : HubSubject.FromPrincipal(result.Principal);
        if (subject is null)
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }
        return Results.Ok(new Dictionary<string, object?>
        {
            [Claims.Subject] = subject.Subject,
            [Claims.Name] = subject.Name,
            [HubClaimTypes.Agency] = subject.Agency,
            [HubClaimTypes.Role] = subject.Roles,
            [HubClaimTypes.Leo] = subject.Leo,
            [HubClaimTypes.Cfr28] = subject.Cfr28,
        });
    }

    private static async Task<IResult> EndSessionAsync(HttpContext context)
    {
        await context.SignOutAsync(AccountEndpoints.SessionScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static string QueryWithoutPrompt(IQueryCollection query) =>
        QueryString.Create(query.Where(p => p.Key != Parameters.Prompt)
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))).ToUriComponent();

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> source)
    {
        var list = new List<string>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }
}
