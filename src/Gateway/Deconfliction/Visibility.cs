using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// The base queries every read starts from, so no resolver can forget the filter and paging and counts never count
/// a row the reader may not see. A reader may read hub data only in a reading role: an enforcement role, or an
/// advocate of a victim-service organisation (who sees that organisation's own records and matches, and of the
/// other side only what <see cref="ReleasePolicy"/> releases).
/// </summary>
public static class Visibility
{
    /// <summary>Whether <paramref name="reader"/> may read hub records and matches at all.</summary>
    public static bool MayRead(HubPrincipal reader, AgencyKind? readerAgencyKind)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (readerAgencyKind is null)
        {
            return false;
        }
        return reader.MayReachEnforcementData
            ? readerAgencyKind != AgencyKind.VictimServices
            : reader.IsInRole(SharingHub.ServiceDefaults.Authentication.HubRoles.Advocate) && readerAgencyKind == AgencyKind.VictimServices;
    }

    /// <summary>The reader's own agency's shared records (withdrawn ones excluded); none when it may not read.</summary>
    public static IQueryable<StoredRecord> OwnRecords(this HubDbContext db, HubPrincipal reader, AgencyKind? readerAgencyKind)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(reader);
        var agency = reader.Agency;
        return MayRead(reader, readerAgencyKind)
            ? db.Records.Where(r => r.AgencyCode == agency && r.WithdrawnAt == null)
            : db.Records.Where(r => false);
    }

    /// <summary>The matches one of whose two records is the reader's agency's; none when it may not read.</summary>
    public static IQueryable<Match> VisibleMatches(this HubDbContext db, HubPrincipal reader, AgencyKind? readerAgencyKind)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(reader);
        var agency = reader.Agency;
        return MayRead(reader, readerAgencyKind)
            ? db.Matches.Where(m => m.AgencyA == agency || m.AgencyB == agency)
            : db.Matches.Where(m => false);
    }
}
