using System.Diagnostics;
using OpenTelemetry.Trace;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class TelemetryTests
{
    private static readonly ActivityTraceId Trace = ActivityTraceId.CreateRandom();

    private static SamplingDecision Decide(ActivityKind kind, ActivityContext parent = default) =>
        Telemetry.Sampler.ShouldSample(new SamplingParameters(parent, Trace, "span", kind)).Decision;

    [Fact]
    public void Sampler_ClientSpanWithoutParent_Dropped()
    {
        // A background poll's database call starts no trace.
        Assert.Equal(SamplingDecision.Drop, Decide(ActivityKind.Client));
    }

    [Theory]
    [InlineData(ActivityKind.Internal)]
    [InlineData(ActivityKind.Server)]
    [InlineData(ActivityKind.Producer)]
    [InlineData(ActivityKind.Consumer)]
    public void Sampler_OtherSpanWithoutParent_StartsATrace(ActivityKind kind)
    {
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(kind));
    }

    [Fact]
    public void Sampler_ClientSpanInSampledTrace_Kept()
    {
        var parent = new ActivityContext(Trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(ActivityKind.Client, parent));
    }

    [Fact]
    public void CurrentTraceParent_StoredAndParsed_SameSpanAsRemoteParent()
    {
        using var activity = new Activity("raise alert").SetIdFormat(ActivityIdFormat.W3C).Start();

        var stored = Telemetry.CurrentTraceParent();
        var parsed = Telemetry.ParseTraceParent(stored);

        Assert.Equal((activity.TraceId, activity.SpanId, true), (parsed.TraceId, parsed.SpanId, parsed.IsRemote));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    public void ParseTraceParent_NoneOrMalformed_Default(string? stored)
    {
        Assert.Equal(default, Telemetry.ParseTraceParent(stored));
    }

    [Fact]
    public void CurrentTraceParent_OutsideATrace_Null()
    {
        Activity.Current = null;

        Assert.Null(Telemetry.CurrentTraceParent());
    }
}
