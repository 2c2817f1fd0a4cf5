using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Identity.Agencies;

/// <summary>A member agency of the task force.</summary>
public sealed class Agency
{
    /// <summary>ORI-style code, e.g. <c>TX0010100</c>.</summary>
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public AgencyKind Kind { get; set; }
}
