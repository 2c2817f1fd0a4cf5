using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Alerts;

/// <summary>
/// The base query of every alert read (the <c>alerts</c> list, <c>alert(id)</c>, <c>alertRaised</c>): the alerts
/// addressed to the reader's agency and to an audience the reader's roles belong to. A reader who may not read hub
/// data at all (<see cref="Visibility.MayRead"/>) gets none.
/// </summary>
public static class AlertVisibility
{
    /// <summary>The audiences <paramref name="reader"/> belongs to in their own agency.</summary>
    public static IReadOnlyList<AlertAudience> AudiencesOf(HubPrincipal reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!reader.MayReachEnforcementData)
        {
            return reader.IsInRole(HubRoles.Advocate) ? [AlertAudience.Advocates] : [];
        }
        return reader.IsInRole(HubRoles.Supervisor) ? [AlertAudience.Officers, AlertAudience.Supervisors] : [AlertAudience.Officers];
    }

    /// <summary>The alerts addressed to <paramref name="reader"/>; none when the reader may not read.</summary>
    public static IQueryable<Alert> VisibleAlerts(this HubDbContext db, HubPrincipal reader, AgencyKind? readerAgencyKind)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(reader);
        var agency = reader.Agency;
        var audiences = AudiencesOf(reader).ToList();
        return Visibility.MayRead(reader, readerAgencyKind) && audiences.Count > 0
            ? db.Alerts.Where(a => a.AgencyCode == agency && audiences.Contains(a.Audience))
            : db.Alerts.Where(a => false);
    }

    /// <summary>
    /// A principal standing for <paramref name="audience"/> of <paramref name="agency"/>, for content decided without a
    /// caller (the agency's alert queue): the release rule sees the same roles as a reader of that audience.
    /// </summary>
    public static HubPrincipal AudiencePrincipal(string agency, AlertAudience audience)
    {
        var role = audience switch
        {
            AlertAudience.Officers => HubRoles.Officer,
            AlertAudience.Supervisors => HubRoles.Supervisor,
            AlertAudience.Advocates => HubRoles.Advocate,
            _ => throw new ArgumentOutOfRangeException(nameof(audience)),
        };
        return new HubPrincipal($"alert-queue:{agency}", agency, new HashSet<string>(StringComparer.Ordinal) { role }, false, false, null, null);
    }
}
