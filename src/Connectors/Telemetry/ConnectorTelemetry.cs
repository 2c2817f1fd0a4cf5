using System.Diagnostics;
using System.Text;
using MassTransit.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SharingHub.Connectors.Telemetry;

/// <summary>
/// The connector's traces (ADR-013): its own spans (a batch's publish, an alert's delivery to the agency's system),
/// MassTransit's (the send that carries the trace to the hub) and Npgsql's (a SQL source's query). Exported over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; otherwise nothing listens and no span is even created. Spans carry
/// ids, counts, agency codes and outcomes only: never a record's contents.
/// </summary>
internal static class ConnectorTelemetry
{
    /// <summary>The connector's own activity source.</summary>
    public const string ActivitySourceName = "SharingHub.Connector";

    /// <summary>The AMQP header of an alert message that carries the hub relay's W3C trace context (the Gateway's <c>AlertQueueTopology.TraceParentHeader</c>).</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header beside <see cref="TraceParentHeader"/> with the vendor trace state.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>The connector's activity source.</summary>
    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Tracing for this process when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (dispose to flush); null otherwise.</summary>
    public static TracerProvider? StartFromEnvironment() =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            ? null
            : Create(tracing => tracing.AddOtlpExporter());

    /// <summary>A tracer provider with the connector's sources and sampler, exporting where <paramref name="export"/> says.</summary>
    public static TracerProvider Create(Action<TracerProviderBuilder> export)
    {
        ArgumentNullException.ThrowIfNull(export);
        var tracing = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service (the SDK reads it); an explicit name would override it.
                if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
                {
                    resource.AddService("sharinghub-connector");
                }
            })
            // As the hub's hosts: a span inside a trace is kept; a client call with no parent (a SQL source's poll)
            // starts none.
            .SetSampler(new ParentBasedSampler(new NoRootClientSpans()))
            .AddSource(ActivitySourceName)
            .AddSource(DiagnosticHeaders.DefaultListenerName)
            .AddNpgsql();
        export(tracing);
        return tracing.Build();
    }

    /// <summary>The remote span context that an alert message's trace headers name; default when they name none.</summary>
    public static ActivityContext ParentOf(IDictionary<string, object?>? headers)
    {
        var traceParent = Text(headers, TraceParentHeader);
        return traceParent is not null && ActivityContext.TryParse(traceParent, Text(headers, TraceStateHeader), isRemote: true, out var context)
            ? context
            : default;
    }

    // RabbitMQ.Client hands header strings over as bytes.
    private static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => null,
            }
            : null;

    /// <summary>Tag names of the connector's own spans (the hub's names, so that one query finds both sides).</summary>
    public static class Tags
    {
        public const string Agency = "sharinghub.agency";
        public const string Records = "sharinghub.records";
        public const string AlertId = "sharinghub.alert.id";
        public const string Outcome = "sharinghub.outcome";
    }

    private sealed class NoRootClientSpans : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
