using GraphQL;
using GraphQL.DataLoader;
using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Alerts;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// One GraphQL operation's context: the caller, the database and the batching loaders. Resolvers reach it through
/// <see cref="HubRequestContextExtensions.Hub"/>.
/// </summary>
internal sealed class HubRequestContext : Dictionary<string, object?>
{
    private readonly Dictionary<long, IDataLoaderResult<CounterpartView>> _counterparts = [];
    private readonly Dictionary<long, CounterpartView> _decided = [];
    private readonly Dictionary<long, IDataLoaderResult<AlertContent>> _alertContents = [];
    private readonly AgencyDirectory _directory;
    private IReadOnlyDictionary<string, Agency>? _agencies;
    private readonly Lazy<HubDbContext>? _pageDb;

    public HubRequestContext(HubPrincipal principal, HubDbContext db, AgencyDirectory directory, Func<HubDbContext>? pageDb = null)
    {
        Principal = principal;
        Db = db;
        _pageDb = pageDb is null ? null : new Lazy<HubDbContext>(pageDb);
        _directory = directory;
        Records = new BatchLoader<long, StoredRecord>(async (ids, ct) =>
            await db.Records.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct));
        MatchesByRecord = new BatchLoader<long, List<Match>>(async (ids, ct) =>
        {
            var agency = principal.Agency;
            var matches = await db.Matches.AsNoTracking()
                .Where(m => ids.Contains(m.RecordAId) || ids.Contains(m.RecordBId))
                .Where(m => m.AgencyA == agency || m.AgencyB == agency)
                .OrderByDescending(m => m.Id)
                .ToListAsync(ct);
            return ids.ToDictionary(id => id, id => matches.Where(m => m.RecordAId == id || m.RecordBId == id).ToList());
        });
        // Alerts name their match; what the reader sees of it is decided by AlertContents (a non-party sees none of it).
        Matches = new BatchLoader<long, Match>(async (ids, ct) =>
            await db.Matches.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct));
        Clusters = new BatchLoader<long, ClusterOf>(async (ids, ct) =>
            await db.ClusterMembers.AsNoTracking().Where(m => ids.Contains(m.RecordId))
                .Select(m => new { m.RecordId, m.ClusterId, Size = db.ClusterMembers.Count(other => other.ClusterId == m.ClusterId) })
                .ToDictionaryAsync(m => m.RecordId, m => new ClusterOf(m.ClusterId, m.Size), ct));
        VisibleAlerts = new BatchLoader<long, Alert>(async (ids, ct) =>
            await db.VisibleAlerts(principal, await ReaderKindAsync(ct)).AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct));
    }

    /// <summary>The caller.</summary>
    public HubPrincipal Principal { get; }

    /// <summary>
    /// Over the WebSocket transport: the subscription's send window. A feed waits for a permit before each event and
    /// the transport returns one per message sent (<see cref="AsyncEnumerableObservable{T}"/>).
    /// </summary>
    public SemaphoreSlim? StreamWindow { get; init; }

    /// <summary>The request's database context (one operation at a time: the serial strategy).</summary>
    public HubDbContext Db { get; }

    /// <summary>
    /// The request's context for match pages (<see cref="Extensions.PageReadsKey"/>), taken when first used; the
    /// operation's <see cref="Db"/> when none was given.
    /// </summary>
    public HubDbContext PageDb => _pageDb?.Value ?? Db;

    /// <summary>Records by id (own and counterpart; what is shown of them is decided by the resolvers).</summary>
    public BatchLoader<long, StoredRecord> Records { get; }

    /// <summary>A record's matches with the caller's agency, newest first.</summary>
    public BatchLoader<long, List<Match>> MatchesByRecord { get; }

    /// <summary>Matches by id, unfiltered: only <see cref="AlertContent"/> reads them, and it shows a match only to its parties.</summary>
    public BatchLoader<long, Match> Matches { get; }

    /// <summary>Alerts addressed to the caller, by id (others load as null).</summary>
    public BatchLoader<long, Alert> VisibleAlerts { get; }

    /// <summary>The alerts addressed to the caller (<see cref="AlertVisibility.VisibleAlerts"/>).</summary>
    public async Task<IQueryable<Alert>> VisibleAlertsAsync(CancellationToken cancellationToken) =>
        Db.VisibleAlerts(Principal, await ReaderKindAsync(cancellationToken));

    /// <summary>
    /// What the caller is shown of <paramref name="alert"/>: its match, the caller's record in it and the
    /// <see cref="Counterpart"/> view, put into words by <see cref="AlertContents"/>.
    /// </summary>
    public IDataLoaderResult<AlertContent> AlertContent(Alert alert)
    {
        if (_alertContents.TryGetValue(alert.Id, out var known))
        {
            return known;
        }
        var pendingMatch = Matches.Load(alert.MatchId);
        var result = DataLoaderResult.From(async cancellationToken =>
        {
            var match = await pendingMatch.GetResultAsync(cancellationToken)
                ?? throw new InvalidOperationException("An alert's match is missing.");
            var agencies = await AgenciesAsync(cancellationToken);
            var party = match.AgencyA == Principal.Agency || match.AgencyB == Principal.Agency;
            if (!party)
            {
                return AlertContents.Compose(Principal, alert, match, null, null, agencies);
            }
            var own = Records.Load(match.AgencyA == Principal.Agency ? match.RecordAId : match.RecordBId);
            var counterpart = Counterpart(match);
            return AlertContents.Compose(Principal, alert, match, await own.GetResultAsync(cancellationToken),
                await counterpart.GetResultAsync(cancellationToken), agencies);
        });
        _alertContents[alert.Id] = result;
        return result;
    }

    /// <summary>Every member agency by code (one view for the whole operation, from the <see cref="AgencyDirectory"/>).</summary>
    public async ValueTask<IReadOnlyDictionary<string, Agency>> AgenciesAsync(CancellationToken cancellationToken) =>
        _agencies ??= await _directory.GetAsync(Db, cancellationToken);

    /// <summary>
    /// The kind of the caller's agency; null when the Gateway does not know the agency or it is disabled (so every base
    /// query yields nothing to it).
    /// </summary>
    public async ValueTask<AgencyKind?> ReaderKindAsync(CancellationToken cancellationToken) =>
        (await AgenciesAsync(cancellationToken)).TryGetValue(Principal.Agency, out var agency) && agency.IsEnabled ? agency.Kind : null;

    /// <summary>The caller's own records (<see cref="Visibility.OwnRecords"/>).</summary>
    public async Task<IQueryable<StoredRecord>> OwnRecordsAsync(CancellationToken cancellationToken) =>
        Db.OwnRecords(Principal, await ReaderKindAsync(cancellationToken));

    /// <summary>The matches the caller may see (<see cref="Visibility.VisibleMatches(HubDbContext, HubPrincipal, AgencyKind?)"/>).</summary>
    public async Task<IQueryable<Match>> VisibleMatchesAsync(CancellationToken cancellationToken) =>
        Db.VisibleMatches(Principal, await ReaderKindAsync(cancellationToken));

    /// <summary>The matches the caller may see that <paramref name="filter"/> keeps.</summary>
    public async Task<IQueryable<Match>> VisibleMatchesAsync(MatchFilter filter, CancellationToken cancellationToken) =>
        Db.VisibleMatches(Principal, await ReaderKindAsync(cancellationToken), filter);

    /// <summary>
    /// Pages of the matches the caller may see that <paramref name="filter"/> keeps (<see cref="Visibility.VisibleMatchesPage"/>),
    /// read through <see cref="PageDb"/>: given the id the page's rows are below and how many, the page.
    /// </summary>
    public async Task<Func<long?, int, IQueryable<Match>>> MatchPagesAsync(MatchFilter filter, CancellationToken cancellationToken)
    {
        var kind = await ReaderKindAsync(cancellationToken);
        return (before, count) => PageDb.VisibleMatchesPage(Principal, kind, filter, before, count);
    }

    /// <summary>Person records' subject clusters by record id (ADR-010): the cluster and its size, never its members.</summary>
    public BatchLoader<long, ClusterOf> Clusters { get; }

    /// <summary>
    /// The subject cluster that holds both records of a person match, as far as the match releases anything: only
    /// how many agencies know the person. Null when the records are not in one cluster, or when the other record
    /// releases nothing (as its score).
    /// </summary>
    public IDataLoaderResult<ClusterView?> Cluster(Match match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var members = Clusters.LoadMany([match.RecordAId, match.RecordBId]);
        var counterpart = Counterpart(match);
        return DataLoaderResult.From<ClusterView?>(async cancellationToken =>
        {
            var view = await counterpart.GetResultAsync(cancellationToken);
            var both = await members.GetResultAsync(cancellationToken);
            return view.Score is not null && both[0] is { } a && both[1] is { } b && a.ClusterId == b.ClusterId
                ? new ClusterView(a.Size)
                : null;
        });
    }

    /// <summary>The shapes of this operation's selections that the plain path reads (<see cref="HubQueryExecutionStrategy"/>).</summary>
    public Dictionary<(GraphQLParser.AST.GraphQLField Field, global::GraphQL.Types.IGraphType Type), HubQueryExecutionStrategy.Shape?> PlainShapes { get; } = [];

    /// <summary>Released reads of other agencies' records in this operation, for the audit log.</summary>
    public List<CounterpartView> Disclosures { get; } = [];

    /// <summary>
    /// What the caller may see of the other side of <paramref name="match"/>, decided once per match by
    /// <see cref="ReleasePolicy"/> from the other record, its subject and its agency (loaded in batches).
    /// </summary>
    public IDataLoaderResult<CounterpartView> Counterpart(Match match)
    {
        if (_counterparts.TryGetValue(match.Id, out var known))
        {
            return known;
        }
        var (otherId, otherSubject) = OtherSide(match);
        var pending = Records.LoadMany(otherSubject is { } subject ? [otherId, subject] : [otherId]);
        var result = DataLoaderResult.From(async cancellationToken =>
        {
            var loaded = await pending.GetResultAsync(cancellationToken);
            return Decide(match, loaded[0], loaded.Length > 1 ? loaded[1] : null, await AgenciesAsync(cancellationToken));
        });
        _counterparts[match.Id] = result;
        return result;
    }

    /// <summary>
    /// <paramref name="read"/> of the <see cref="Counterpart"/> view: answered now when the records it needs are
    /// loaded (<see cref="MatchesWithRecordsAsync"/>), else a pending result.
    /// </summary>
    public object? WithCounterpart<T>(Match match, Func<CounterpartView, T> read) =>
        ReadyCounterpart(match) is { } view ? read(view) : Counterpart(match).Then(read);

    /// <summary>
    /// Reads <paramref name="matches"/> (a page of <see cref="PageDb"/>'s: ordered by descending id, limited) with the
    /// records each shows (the caller's, the other side's and its subject) in one statement, and keeps those records
    /// for the page's fields.
    /// </summary>
    public async Task<List<Match>> MatchesWithRecordsAsync(IQueryable<Match> matches, CancellationToken cancellationToken)
    {
        var agency = Principal.Agency;
        var rows = await (
                from m in matches
                join own in PageDb.Records on (m.AgencyA == agency ? m.RecordAId : m.RecordBId) equals own.Id into owns
                from own in owns.DefaultIfEmpty()
                join other in PageDb.Records on (m.AgencyA == agency ? m.RecordBId : m.RecordAId) equals other.Id into others
                from other in others.DefaultIfEmpty()
                join subject in PageDb.Records on (m.AgencyA == agency ? m.SubjectBId : m.SubjectAId) equals (long?)subject.Id into subjects
                from subject in subjects.DefaultIfEmpty()
                select new { Match = m, Own = own, Other = other, Subject = subject })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        await AgenciesAsync(cancellationToken);
        foreach (var row in rows)
        {
            var (otherId, otherSubject) = OtherSide(row.Match);
            Records.Prime(OwnId(row.Match), row.Own);
            Records.Prime(otherId, row.Other);
            if (otherSubject is { } subjectId)
            {
                Records.Prime(subjectId, row.Subject);
            }
        }
        return [.. rows.Select(r => r.Match).OrderByDescending(m => m.Id)];
    }

    /// <summary>The caller's record in <paramref name="match"/>: now when it is loaded, else pending.</summary>
    public object? Own(Match match) =>
        TryOwn(match, out var record) ? record : Records.Load(OwnId(match));

    /// <summary>The caller's record in <paramref name="match"/>, when it is loaded.</summary>
    public bool TryOwn(Match match, out StoredRecord? record) => Records.TryGet(OwnId(match), out record);

    /// <summary>The <see cref="Counterpart"/> view of <paramref name="match"/>, when the records it needs are loaded.</summary>
    public bool TryCounterpart(Match match, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CounterpartView? view)
    {
        view = ReadyCounterpart(match);
        return view is not null;
    }

    private long OwnId(Match match) => match.AgencyA == Principal.Agency ? match.RecordAId : match.RecordBId;

    private (long OtherId, long? OtherSubject) OtherSide(Match match) => match.AgencyA == Principal.Agency
        ? (match.RecordBId, match.SubjectBId)
        : (match.RecordAId, match.SubjectAId);

    // The view when everything it needs is loaded; null otherwise.
    private CounterpartView? ReadyCounterpart(Match match)
    {
        if (_decided.TryGetValue(match.Id, out var decided))
        {
            return decided;
        }
        var (otherId, otherSubject) = OtherSide(match);
        StoredRecord? subject = null;
        if (_agencies is not { } agencies || !Records.TryGet(otherId, out var other)
            || (otherSubject is { } subjectId && !Records.TryGet(subjectId, out subject)))
        {
            return null;
        }
        return Decide(match, other, subject, agencies);
    }

    // Decided once per match, whichever way it was reached, so that a release is audited once.
    private CounterpartView Decide(Match match, StoredRecord? other, StoredRecord? otherSubject, IReadOnlyDictionary<string, Agency> agencies)
    {
        if (_decided.TryGetValue(match.Id, out var decided))
        {
            return decided;
        }
        var view = CounterpartView.Of(Principal, match, other, otherSubject, agencies);
        if (view.Release != Release.None)
        {
            Disclosures.Add(view);
        }
        _decided[match.Id] = view;
        return view;
    }

    /// <summary>Refuses a caller whose role may not read hub data at all (admin, connector).</summary>
    public async Task EnsureMayReadAsync(CancellationToken cancellationToken)
    {
        if (!Visibility.MayRead(Principal, await ReaderKindAsync(cancellationToken)))
        {
            throw HubError.Forbidden("Your role may not read shared records: officers, analysts, supervisors and advocates of a victim-service organisation may.");
        }
    }
}

/// <summary>Access to the <see cref="HubRequestContext"/> from a resolver.</summary>
internal static class HubRequestContextExtensions
{
    /// <summary>The operation's <see cref="HubRequestContext"/>.</summary>
    public static HubRequestContext Hub(this IResolveFieldContext context) =>
        context.UserContext as HubRequestContext
        ?? throw new InvalidOperationException("The GraphQL operation runs without the hub's request context.");
}
