using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using SharingHub.Gateway.Authorization;

namespace SharingHub.Gateway.GraphQL;

/// <summary>A hub user authenticated by the token of a WebSocket's <c>connection_init</c>.</summary>
internal sealed record SocketUser(ClaimsPrincipal User, HubPrincipal Principal, DateTimeOffset ExpiresAt);

/// <summary>
/// Checks the bearer token a WebSocket client sends in <c>connection_init</c> exactly as the HTTP transport's is
/// checked: OpenIddict validation (signature with Identity's keys, issuer, audience, lifetime), then the
/// <see cref="HubPolicies.HubUser"/> policy and the <see cref="HubPrincipal"/> rules (a token without an agency is
/// no hub user's).
/// </summary>
internal sealed partial class SocketAuthenticator(
    OpenIddictValidationService validation,
    IAuthorizationService authorization,
    ILogger<SocketAuthenticator> logger)
{
    /// <summary>The hub user of <paramref name="token"/>; null, with the reason logged, when it is not one.</summary>
    public async Task<SocketUser?> AuthenticateAsync(string token, string? remoteAddress, CancellationToken cancellationToken)
    {
        ClaimsPrincipal user;
        try
        {
            user = await validation.ValidateAccessTokenAsync(token, cancellationToken);
        }
        catch (OpenIddictExceptions.ProtocolException ex)
        {
            // The validation error only: never the token.
            LogTokenRejected(logger, remoteAddress, ex.Error, ex.ErrorDescription);
            return null;
        }
        if (!(await authorization.AuthorizeAsync(user, HubPolicies.HubUser)).Succeeded || HubPrincipal.From(user) is not { } principal)
        {
            LogNotHubUser(logger, remoteAddress);
            return null;
        }
        if (ExpiresAt(user) is not { } expiresAt)
        {
            LogTokenRejected(logger, remoteAddress, "invalid_token", "The token carries no expiry.");
            return null;
        }
        return new SocketUser(user, principal, expiresAt);
    }

    private static DateTimeOffset? ExpiresAt(ClaimsPrincipal user) =>
        user.GetExpirationDate()
        ?? (long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Rejected a WebSocket's bearer token from {RemoteAddress}: {Error} {ErrorDescription}")]
    private static partial void LogTokenRejected(ILogger logger, string? remoteAddress, string? error, string? errorDescription);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Refused a WebSocket from {RemoteAddress}: the token is not a hub user's (no agency)")]
    private static partial void LogNotHubUser(ILogger logger, string? remoteAddress);
}
