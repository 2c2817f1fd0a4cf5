using OpenIddict.Server;
using Microsoft.AspNetCore;
using SharingHub.Identity.Tokens;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SharingHub.Identity.Audit;

/// <summary>
/// Audits every answer of the token endpoint, issued or refused, including the refusals OpenIddict makes
/// before the hub's own code runs (bad client secret, grant not permitted, replayed code or refresh token).
/// </summary>
internal sealed class TokenAuditHandler(AuditLog audit) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseScopedHandler<TokenAuditHandler>()
            // After OpenIddict normalizes the error code (what the client sees is what is audited),
            // before the response is written, which ends the dispatch.
            .SetOrder(OpenIddictServerHandlers.Exchange.NormalizeErrorResponse.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clientId = context.Request?.ClientId;
        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        var actor = http?.Items[TokenEndpoints.AuditActorItem] as string ?? clientId;
        var grant = context.Request?.GrantType ?? "none";
        if (context.Error is null)
        {
            await audit.WriteAsync(AuditEvents.TokenIssued, AuditOutcome.Success, actor, clientId,
                $"grant={grant} scope={context.Response.Scope}", context.CancellationToken);
        }
        else
        {
            await audit.WriteAsync(AuditEvents.TokenRefused, AuditOutcome.Failure, actor, clientId,
                $"grant={grant} error={context.Error} {context.Response.ErrorDescription}".Trim(),
                context.CancellationToken);
        }
    }
}
