using System.Diagnostics.Metrics;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Alerts;

/// <summary>Instruments of alerts on the <c>SharingHub</c> meter.</summary>
internal sealed class AlertMetrics
{
    private readonly Counter<long> _raised;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _acknowledged;
    private readonly Counter<long> _escalated;
    private readonly Counter<long> _retracted;
    private readonly Histogram<double> _arrivalToDelivered;

    public AlertMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.MeterName);
        _raised = meter.CreateCounter<long>("sharinghub.alerts.raised", "{alert}", "Alerts raised by matching, by kind.");
        _delivered = meter.CreateCounter<long>("sharinghub.alerts.delivered", "{alert}",
            "Alerts delivered, by channel: queue (confirmed on the agency's alert queue) or subscription (sent to an alertRaised subscriber).");
        _acknowledged = meter.CreateCounter<long>("sharinghub.alerts.acknowledged", "{alert}", "Alerts acknowledged.");
        _escalated = meter.CreateCounter<long>("sharinghub.alerts.escalated", "{alert}", "Escalation alerts raised for alerts left unacknowledged.");
        _retracted = meter.CreateCounter<long>("sharinghub.alerts.retracted", "{alert}", "Alerts retracted because their match closed.");
        _arrivalToDelivered = meter.CreateHistogram<double>("sharinghub.alerts.arrival_to_delivered", "ms",
            "From the newer record of the match being stored to its alert being confirmed on the agency's queue.");
    }

    public void Raised(long count, string kind)
    {
        if (count > 0)
        {
            _raised.Add(count, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void Retracted(long count)
    {
        if (count > 0)
        {
            _retracted.Add(count);
        }
    }

    public void Escalated(long count)
    {
        if (count > 0)
        {
            _escalated.Add(count);
        }
    }

    public void Acknowledged() => _acknowledged.Add(1);

    /// <summary>One alert confirmed on its agency's queue; <paramref name="sinceArrival"/> is known for alerts raised by a record's arrival.</summary>
    public void Delivered(TimeSpan? sinceArrival)
    {
        _delivered.Add(1, new KeyValuePair<string, object?>("channel", "queue"));
        if (sinceArrival is { } elapsed)
        {
            _arrivalToDelivered.Record(Math.Max(0, elapsed.TotalMilliseconds));
        }
    }

    /// <summary>One alert sent to one <c>alertRaised</c> subscriber (each subscriber counts: it is a delivery to a person).</summary>
    public void DeliveredToSubscriber() => _delivered.Add(1, new KeyValuePair<string, object?>("channel", "subscription"));
}
