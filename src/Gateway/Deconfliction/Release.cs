using SharingHub.Contracts.V1;
using SharingHub.Gateway.Authorization;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>How much of the other agency's record a match releases to a reader.</summary>
public enum Release
{
    /// <summary>Nothing beyond the fact that a conflict exists and that the hub has told the record's owner.</summary>
    None,

    /// <summary>The owning agency and its control official's contact: whom to call.</summary>
    ContactOnly,

    /// <summary>The agency, the contact and the matched fields.</summary>
    Full,
}

/// <summary>What the release decision needs to know about the counterpart record.</summary>
/// <param name="Sensitivity">The record's label; a record without one releases nothing.</param>
/// <param name="OwnerKind">What kind of agency owns it.</param>
/// <param name="InvolvesVictim">The record is a victim's, or points to a victim (its subject).</param>
public sealed record CounterpartFacts(Sensitivity? Sensitivity, AgencyKind OwnerKind, bool InvolvesVictim);

/// <summary>
/// The release rule (DESIGN "Records" and "Alerts"): the counterpart's sensitivity label sets the ceiling, and victims
/// are protected first. A victim-service organisation's record tells law enforcement only that a person it serves is
/// linked, and whom to call, whatever its label says; a victim's record never becomes an enforcement lead; an
/// advocate never receives enforcement details.
/// </summary>
public static class ReleasePolicy
{
    /// <summary>What <paramref name="reader"/> may see of a counterpart record described by <paramref name="other"/>.</summary>
    public static Release For(HubPrincipal reader, CounterpartFacts other)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(other);
        if (other.OwnerKind == AgencyKind.VictimServices)
        {
            return Release.ContactOnly;
        }
        var release = other.Sensitivity switch
        {
            Sensitivity.Open => Release.Full,
            Sensitivity.AgencyOnly => Release.ContactOnly,
            Sensitivity.Restricted => Release.None,
            null => Release.None,
            _ => Release.None,
        };
        if (other.InvolvesVictim || !reader.MayReachEnforcementData)
        {
            release = Min(release, Release.ContactOnly);
        }
        return release;
    }

    /// <summary>Whether a line that discloses <paramref name="disclosure"/> may be shown at <paramref name="release"/>.</summary>
    public static bool Permits(this Release release, Disclosure disclosure) => disclosure switch
    {
        Disclosure.Nothing => true,
        Disclosure.Counterpart => release == Release.Full,
        _ => false,
    };

    private static Release Min(Release a, Release b) => a < b ? a : b;
}
