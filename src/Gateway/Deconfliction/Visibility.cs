using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
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

    /// <summary>The visible matches that <paramref name="filter"/> keeps (<see cref="VisibleMatches(HubDbContext, HubPrincipal, AgencyKind?)"/>, narrowed).</summary>
    public static IQueryable<Match> VisibleMatches(this HubDbContext db, HubPrincipal reader, AgencyKind? readerAgencyKind, MatchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matches = db.VisibleMatches(reader, readerAgencyKind);
        if (filter.Band is { } band)
        {
            matches = matches.Where(m => m.Band == band);
        }
        if (filter.Kind is { } kind)
        {
            matches = matches.Where(m => m.Kind == kind);
        }
        if (filter.Open is { } open)
        {
            matches = open ? matches.Where(m => m.ClosedAt == null) : matches.Where(m => m.ClosedAt != null);
        }
        return matches;
    }

    /// <summary>
    /// One page of <see cref="VisibleMatches(HubDbContext, HubPrincipal, AgencyKind?, MatchFilter)"/>: the
    /// <paramref name="count"/> newest below id <paramref name="before"/> (from the newest when null), newest first:
    /// the same rows as that query ordered by descending id and cut to <paramref name="count"/>. Written in SQL, as
    /// two range scans of the agency's indexes, <c>(agency_a, id)</c> and <c>(agency_b, id)</c>, each cut to the page
    /// and merged by id: one plan that suits every agency, large or small, so that it can be kept (see
    /// <see cref="Extensions.PageReadsKey"/>). <c>(agency_a, id) &lt; (@me, @before) AND agency_a &gt;= @me</c> means
    /// <c>agency_a = @me AND id &lt; @before</c>, written so that only the agency's index serves it in order (with an
    /// equality the planner would know the agency is fixed, and the primary key's id order would serve as well): a
    /// kept plan never walks the whole table by id to find a small agency's few matches.
    /// </summary>
    public static IQueryable<Match> VisibleMatchesPage(this HubDbContext db, HubPrincipal reader, AgencyKind? readerAgencyKind, MatchFilter filter,
        long? before, int count)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!MayRead(reader, readerAgencyKind))
        {
            return db.Matches.Where(m => false);
        }
        var parameters = new List<NpgsqlParameter>
        {
            new NpgsqlParameter<string>("me", NpgsqlDbType.Varchar) { TypedValue = reader.Agency },
            new NpgsqlParameter<long>("before", NpgsqlDbType.Bigint) { TypedValue = before ?? long.MaxValue },
        };
        var narrowed = new StringBuilder();
        if (filter.Band is { } band)
        {
            narrowed.Append(" AND m.band = @band");
            parameters.Add(new NpgsqlParameter<string>("band", NpgsqlDbType.Varchar) { TypedValue = band });
        }
        if (filter.Kind is { } kind)
        {
            narrowed.Append(" AND m.kind = @kind");
            parameters.Add(new NpgsqlParameter<string>("kind", NpgsqlDbType.Varchar) { TypedValue = kind.ToString() });
        }
        if (filter.Open is { } open)
        {
            narrowed.Append(open ? " AND m.closed_at IS NULL" : " AND m.closed_at IS NOT NULL");
        }
        // The page size is written into the statement: a LIMIT parameter (what LINQ's Take sends) has PostgreSQL plan
        // every execution anew. EF Core composes the page's records onto this, and composes only over a SELECT.
        var limit = count.ToString(CultureInfo.InvariantCulture);
        var sql = $"""
            SELECT page.* FROM (
            (SELECT m.* FROM matches m
             WHERE m.agency_a >= @me AND (m.agency_a, m.id) < (@me, @before){narrowed}
             ORDER BY m.agency_a DESC, m.id DESC LIMIT {limit})
            UNION ALL
            (SELECT m.* FROM matches m
             WHERE m.agency_b >= @me AND (m.agency_b, m.id) < (@me, @before) AND m.agency_a <> @me{narrowed}
             ORDER BY m.agency_b DESC, m.id DESC LIMIT {limit})
            ORDER BY id DESC LIMIT {limit}) page
            """;
        return db.Matches.FromSqlRaw(sql, [.. parameters]);
    }
}

/// <summary>Which of the visible matches a list shows (the <c>matches</c> connection's arguments); null keeps all.</summary>
/// <param name="Band">Person identity: only this band (<c>Match</c> or <c>Possible</c>).</param>
/// <param name="Kind">Only this kind.</param>
/// <param name="Open">True: only open matches; false: only closed ones.</param>
public sealed record MatchFilter(string? Band = null, MatchKind? Kind = null, bool? Open = null);
