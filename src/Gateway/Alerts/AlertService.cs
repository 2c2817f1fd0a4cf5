using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.Alerts;

/// <summary>Acknowledges alerts (scoped: the request's <see cref="HubDbContext"/>).</summary>
public sealed class AlertService
{
    private readonly HubDbContext _db;
    private readonly TimeProvider _time;
    private readonly AlertMetrics _metrics;

    internal AlertService(HubDbContext db, TimeProvider time, AlertMetrics metrics)
    {
        _db = db;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>
    /// Acknowledges alert <paramref name="alertId"/> for <paramref name="userId"/> (the caller must have found it among
    /// the alerts addressed to them). An acknowledged alert no longer escalates; the first acknowledgement stands.
    /// </summary>
    public async Task<Alert> AcknowledgeAsync(long alertId, string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var now = _time.GetUtcNow();
        var changed = await _db.Alerts
            .Where(a => a.Id == alertId && a.AcknowledgedAt == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(a => a.AcknowledgedAt, now)
                .SetProperty(a => a.AcknowledgedBy, userId)
                .SetProperty(a => a.Status, a => a.Status == AlertStatus.Open ? AlertStatus.Acknowledged : a.Status), cancellationToken);
        if (changed > 0)
        {
            _metrics.Acknowledged();
        }
        return await _db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId, cancellationToken);
    }
}
