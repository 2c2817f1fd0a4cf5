using System.ComponentModel.DataAnnotations;

namespace SharingHub.ServiceDefaults.Options;

/// <summary>How long readiness checks may take before a dependency counts as down.</summary>
public sealed class ReadinessOptions
{
    /// <summary>Configuration section: <c>Readiness</c>.</summary>
    public const string SectionName = "Readiness";

    /// <summary>Timeout of one dependency check, in seconds. Kept short so an outage shows within seconds.</summary>
    [Range(0.1, 30)]
    public double TimeoutSeconds { get; set; } = 2;

    /// <summary>The timeout as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}
