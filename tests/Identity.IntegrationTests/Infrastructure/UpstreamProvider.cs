using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>
/// A second, independent OpenIddict server standing in for an agency's own identity provider, on real Kestrel.
/// It knows one client (the hub) and signs in whichever <see cref="NextUser"/> the test sets, as if that person
/// had just logged in there.
/// </summary>
public sealed class UpstreamProvider : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamProvider(WebApplication app, Uri issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    /// <summary>Claims of the user the next authorization request signs in: (type, value) pairs, <c>sub</c> included.</summary>
    public IReadOnlyList<(string Type, string Value)> NextUser { get; set; } = [];

    public static async Task<UpstreamProvider> StartAsync(string clientId, string clientSecret, Func<Uri, bool> isRedirectUri)
    {
        var port = IdentityApp.FreePort();
        var issuer = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls(issuer.AbsoluteUri);
        builder.Logging.ClearProviders();
        UpstreamProvider? self = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // No stores: the test provider is stateless, and validates its one client itself.
            o.EnableDegradedMode();
            o.UseAspNetCore().DisableTransportSecurityRequirement();
            o.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != clientId || context.Request.RedirectUri is null
                    || !isRedirectUri(new Uri(context.Request.RedirectUri)))
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or redirect URI.");
                }
                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != clientId || context.ClientSecret != clientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Bad client credentials.");
                }
                return default;
            }));
            o.AddEventHandler<HandleAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
                foreach (var (type, value) in self!.NextUser)
                {
                    identity.AddClaim(new Claim(type, value).SetDestinations(Destinations.IdentityToken, Destinations.AccessToken));
                }
                identity.SetScopes(context.Request.GetScopes());
                context.SignIn(new ClaimsPrincipal(identity));
                return default;
            }));
        });
        var app = builder.Build();
        self = new UpstreamProvider(app, issuer);
        await app.StartAsync();
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
