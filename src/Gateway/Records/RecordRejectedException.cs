namespace SharingHub.Gateway.Records;

/// <summary>
/// A message that can never be stored: no user_id, an unknown agency, too many records. It is not retried:
/// MassTransit moves it to the error queue with this message in the <c>MT-Fault-Message</c> header.
/// </summary>
public sealed class RecordRejectedException : Exception
{
    /// <summary>Creates the exception with a reason that names no record content.</summary>
    public RecordRejectedException(string reason, string metricReason) : base(reason) => MetricReason = metricReason;

    /// <summary>Creates the exception.</summary>
    public RecordRejectedException() { }

    /// <summary>Creates the exception.</summary>
    public RecordRejectedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RecordRejectedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The reason as a metric tag (<c>missing_user_id</c>, <c>unknown_agency</c>, …).</summary>
    public string MetricReason { get; } = "other";
}
