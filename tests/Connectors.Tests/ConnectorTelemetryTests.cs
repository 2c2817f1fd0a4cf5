using System.Diagnostics;
using System.Text;
using SharingHub.Connectors.Telemetry;

namespace SharingHub.Connectors.Tests;

public sealed class ConnectorTelemetryTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void ParentOf_TraceParentHeaderAsBytes_RemoteParentOfThatSpan()
    {
        // RabbitMQ.Client hands string headers over as UTF-8 bytes.
        var headers = new Dictionary<string, object?> { [ConnectorTelemetry.TraceParentHeader] = Encoding.UTF8.GetBytes(TraceParent) };

        var parent = ConnectorTelemetry.ParentOf(headers);

        Assert.Equal(("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", true, ActivityTraceFlags.Recorded),
            (parent.TraceId.ToHexString(), parent.SpanId.ToHexString(), parent.IsRemote, parent.TraceFlags));
    }

    [Fact]
    public void ParentOf_NoHeadersOrMalformed_NoParent()
    {
        Assert.Equal(default, ConnectorTelemetry.ParentOf(null));
        Assert.Equal(default, ConnectorTelemetry.ParentOf(new Dictionary<string, object?>()));
        Assert.Equal(default, ConnectorTelemetry.ParentOf(new Dictionary<string, object?> { [ConnectorTelemetry.TraceParentHeader] = "garbage"u8.ToArray() }));
    }
}
