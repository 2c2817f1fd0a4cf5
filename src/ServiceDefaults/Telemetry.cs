using System.Diagnostics;
using OpenTelemetry.Trace;

namespace SharingHub.ServiceDefaults;

/// <summary>
/// Names of the hub's own meter and activity source, shared by every host, and the span conventions of ADR-013.
/// Spans carry ids, counts, agency codes and outcomes only: never a record's contents.
/// </summary>
public static class Telemetry
{
    /// <summary>The meter that carries the hub's own counters and histograms.</summary>
    public const string MeterName = "SharingHub";

    /// <summary>The activity source for the hub's own spans.</summary>
    public const string ActivitySourceName = "SharingHub";

    /// <summary>
    /// MassTransit's own activity source (<c>MassTransit.Logging.DiagnosticHeaders.DefaultListenerName</c>). Named here
    /// rather than referenced, so that a host without a bus (Identity) need not load MassTransit; the trace test fails
    /// if the name drifts.
    /// </summary>
    public const string MassTransitSourceName = "MassTransit";

    /// <summary>The hub's activity source.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>
    /// The sampler of every host: a span inside a sampled trace is kept, and a new trace is started by anything but a
    /// client call. A database or HTTP call with no parent is a background poll (the alert relay's lock, the sweeper's
    /// look for markers, a readiness probe's <c>SELECT 1</c>), which would otherwise open a one-span trace every second.
    /// </summary>
    public static Sampler Sampler { get; } = new ParentBasedSampler(new NoRootClientSpans());

    /// <summary>
    /// The W3C <c>traceparent</c> of the current span, to store beside work that another unit of work picks up later
    /// (an outbox row, a pending marker); null outside a trace.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : null;

    /// <summary>The span context of a stored <c>traceparent</c>, as a remote parent or link; default when there is none.</summary>
    public static ActivityContext ParseTraceParent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// Marks <paramref name="activity"/> failed with the exception's type only (a message can quote a value); returns
    /// false, for use as an exception filter that lets the exception go on: <c>catch (Exception ex) when (activity.Failed(ex))</c>.
    /// </summary>
    public static bool Failed(this Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        return false;
    }

    /// <summary>Tag names of the hub's own spans.</summary>
    public static class Tags
    {
        /// <summary>The agency the work is for (its code).</summary>
        public const string Agency = "sharinghub.agency";

        /// <summary>How many records the work carried.</summary>
        public const string Records = "sharinghub.records";

        /// <summary>How many records it changed.</summary>
        public const string Changed = "sharinghub.records.changed";

        /// <summary>How many records it left unchanged (an equal or older version).</summary>
        public const string Unchanged = "sharinghub.records.unchanged";

        /// <summary>What started a matching run (<c>batch</c>, <c>sweep</c>, ...).</summary>
        public const string Trigger = "sharinghub.match.trigger";

        /// <summary>Candidate pairs a matching run scored.</summary>
        public const string Candidates = "sharinghub.match.candidates";

        /// <summary>Matches a run found.</summary>
        public const string Found = "sharinghub.matches.found";

        /// <summary>Matches a run changed.</summary>
        public const string MatchesChanged = "sharinghub.matches.changed";

        /// <summary>Matches a run closed.</summary>
        public const string Closed = "sharinghub.matches.closed";

        /// <summary>Alerts a run raised (deconfliction, protective and retractions).</summary>
        public const string AlertsRaised = "sharinghub.alerts.raised";

        /// <summary>An alert's id.</summary>
        public const string AlertId = "sharinghub.alert.id";

        /// <summary>An alert's kind.</summary>
        public const string AlertKind = "sharinghub.alert.kind";

        /// <summary>How the step ended (<c>delivered</c>, <c>returned</c>, <c>duplicate</c>, ...).</summary>
        public const string Outcome = "sharinghub.outcome";
    }

    private sealed class NoRootClientSpans : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
