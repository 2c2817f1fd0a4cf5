using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Identity.Agencies;

/// <summary>A member agency of the task force.</summary>
public sealed class Agency
{
    /// <summary>ORI-style code, e.g. <c>TX0010100</c>.</summary>
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public AgencyKind Kind { get; set; }

    /// <summary>
    /// When the hub's registry disabled the agency (the provisioner copies it from the Gateway's registry, ADR-014);
    /// null while it is enabled. Identity signs none of a disabled agency's people or clients in and renews none of
    /// their tokens.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>Whether the agency's people and clients may get tokens.</summary>
    public bool IsEnabled => DisabledAt is null;

    /// <summary>The reason given when a disabled agency's user or client is refused.</summary>
    public static string DisabledReason(string code) =>
        $"agency {code} is disabled in the hub's registry; its users and clients get no tokens until it is enabled again";
}
