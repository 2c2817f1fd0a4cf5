using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Data;

namespace SharingHub.Identity.Audit;

/// <summary>
/// Appends rows to the audit log. Each row is saved at once through its own context, so it neither
/// carries nor waits for the caller's pending changes, and a failed logon is audited even though
/// nothing else is saved.
/// </summary>
internal sealed class AuditLog(IDbContextFactory<HubIdentityDbContext> contexts, IHttpContextAccessor http, TimeProvider time)
{
    public async Task WriteAsync(string @event, AuditOutcome outcome, string? actor, string? clientId,
        string? detail, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            Event = @event,
            Outcome = outcome,
            Actor = Truncate(actor, 256),
            ClientId = Truncate(clientId, 128),
            SourceAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            Detail = Truncate(detail, 1000),
        });
        // Not the request's token: an audit row of a request the client abandoned must still be written.
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static string? Truncate(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];
}
