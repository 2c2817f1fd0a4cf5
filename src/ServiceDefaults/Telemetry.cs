using System.Diagnostics;

namespace SharingHub.ServiceDefaults;

/// <summary>Names of the hub's own meter and activity source, shared by every host.</summary>
public static class Telemetry
{
    /// <summary>The meter that carries the hub's own counters and histograms.</summary>
    public const string MeterName = "SharingHub";

    /// <summary>The activity source for the hub's own spans.</summary>
    public const string ActivitySourceName = "SharingHub";

    /// <summary>The hub's activity source.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
