using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Subject clusters (ADR-010) on the real path: agencies publish over RabbitMQ, the matcher queues the persons of
/// changed person matches, and the maintainer keeps <c>cluster_members</c> up to date in PostgreSQL.
/// </summary>
public sealed class SubjectClusterTests(DeconflictionFixture hub) : IClassFixture<DeconflictionFixture>
{
    // Each test has its own person: the class's tests share one database, and their records would otherwise meet.
    private static PersonRecordPublished Ximena(string localId) =>
        Records.Person(localId, "Ximena", "Villarreal Cantú", "1993-11-02", ssn: "448120937");

    private static PersonRecordPublished Rodrigo(string localId) =>
        Records.Person(localId, "Rodrigo", "Zamarripa Leal", "1979-04-17", ssn: "530774126");

    /// <summary>The cluster rows of the given agencies' records, as (local id, agency, cluster), once nothing is pending.</summary>
    private Task<List<(string LocalId, string Agency, long Cluster)>> ClustersAsync(params AgencyBus[] agencies)
    {
        var codes = agencies.Select(a => a.Code).ToArray();
        return hub.App.WithDatabaseAsync(async db =>
        {
            var rows = await (from c in db.ClusterMembers.AsNoTracking()
                              join r in db.Records on c.RecordId equals r.Id
                              where codes.Contains(c.AgencyCode)
                              select new { r.LocalId, c.AgencyCode, c.ClusterId }).ToListAsync();
            return rows.Select(r => (r.LocalId, r.AgencyCode, r.ClusterId)).OrderBy(r => r.LocalId, StringComparer.Ordinal).ToList();
        });
    }

    private Task<List<(string LocalId, string Agency, long Cluster)>> SettledClustersAsync(Func<List<(string LocalId, string Agency, long Cluster)>, bool> done,
        string what, params AgencyBus[] agencies) =>
        Eventually.UntilAsync(async () => await hub.App.WithDatabaseAsync(db => db.Set<ClusterPending>().AnyAsync()) ? [] : await ClustersAsync(agencies),
            done, what);

    [Fact]
    public async Task Cluster_ThreeAgenciesOnePerson_OneClusterOfThree_WithdrawalShrinksIt()
    {
        var (a, b, c) = (await hub.AddAgencyAsync("CA"), await hub.AddAgencyAsync("CB"), await hub.AddAgencyAsync("CC"));
        await a.PublishAsync(Ximena("A-1"));
        await b.PublishAsync(Ximena("B-1"));
        await c.PublishAsync(Ximena("C-1"));
        foreach (var (agency, id) in new[] { (a, "A-1"), (b, "B-1"), (c, "C-1") })
        {
            await hub.WaitForMatchingAsync(agency, RecordKind.Person, id);
        }

        var three = await SettledClustersAsync(rows => rows.Count == 3, "a cluster of three", a, b, c);
        Assert.Single(three.Select(r => r.Cluster).Distinct());
        Assert.Equal(["A-1", "B-1", "C-1"], three.Select(r => r.LocalId));

        await c.PublishAsync(Records.Withdrawal(RecordKind.Person, "C-1", 2));
        await hub.WaitForMatchingAsync(c, RecordKind.Person, "C-1", 2);

        var two = await SettledClustersAsync(rows => rows.Count == 2, "the cluster without the withdrawn record", a, b, c);
        Assert.Equal(["A-1", "B-1"], two.Select(r => r.LocalId));
        Assert.Single(two.Select(r => r.Cluster).Distinct());
    }

    [Fact]
    public async Task Cluster_MatchCorrectedToPossible_ClusterDissolves()
    {
        var (a, b) = (await hub.AddAgencyAsync("DA"), await hub.AddAgencyAsync("DB"));
        await a.PublishAsync(Records.Person("A-1", "Leocadia", "Ibarra Montemayor", "1985-06-21", ssn: "612045873"));
        await b.PublishAsync(Records.Person("B-1", "Leocadia", "Ibarra Montemayor", "1985-06-21", ssn: "612045873"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "B-1");
        var pair = await SettledClustersAsync(rows => rows.Count == 2, "a cluster of the two records", a, b);
        Assert.Single(pair.Select(r => r.Cluster).Distinct());

        // B corrects its record: no birth date, no SSN. The names alone make the match Possible, which is no link: the
        // band change must still reach the cluster, which then holds one record and is no longer stored.
        await b.PublishAsync(Records.Person("B-1", "Leocadia", "Ibarra Montemayor", null, version: 2));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "B-1", 2);
        Assert.Equal("Possible", Assert.Single(await hub.MatchesAsync(a, b)).Match.Band);

        var ct = TestContext.Current.CancellationToken;
        await Eventually.UntilAsync(async () => !await hub.App.WithDatabaseAsync(db => db.Set<ClusterPending>().AnyAsync(ct))
            && (await ClustersAsync(a, b)).Count == 0, "the cluster dissolved", cancellationToken: ct);
    }

    [Fact]
    public async Task Cluster_TwoRecordsOfOneAgency_NeverInOneCluster()
    {
        var (a, b) = (await hub.AddAgencyAsync("SA"), await hub.AddAgencyAsync("SB"));
        // Agency A holds the person twice (a duplicate in its own system); both match B's record at band Match.
        await a.PublishAsync(Rodrigo("A-1"), Rodrigo("A-2"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "A-2");
        await b.PublishAsync(Rodrigo("B-1"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "B-1");
        Assert.Equal(2, (await hub.MatchesAsync(a, b)).Count(m => m.Match.Band == "Match"));

        var rows = await SettledClustersAsync(rows => rows.Count >= 2, "a cluster of B's record and one of A's", a, b);

        Assert.Equal(2, rows.Count);
        Assert.Single(rows.Select(r => r.Cluster).Distinct());
        Assert.Equal([a.Code, b.Code], rows.Select(r => r.Agency).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cluster_PossibleBandOnly_NoCluster()
    {
        var (a, b) = (await hub.AddAgencyAsync("PA"), await hub.AddAgencyAsync("PB"));
        // Same name, birth dates of one year that disagree: band Possible (ADR-004), not a link.
        await a.PublishAsync(Records.Person("A-1", "José", "Hernández", "1985-03-02"));
        await b.PublishAsync(Records.Person("B-1", "José", "Hernández", "1985-07-19"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "A-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "B-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.Equal("Possible", match.Band);

        await Eventually.UntilAsync(async () => !await hub.App.WithDatabaseAsync(db => db.Set<ClusterPending>().AnyAsync()),
            "the cluster queue to drain", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(await ClustersAsync(a, b));
    }

    [Fact]
    public async Task Cluster_NotSameVerdict_PairLeavesItsCluster()
    {
        var (a, b) = (await hub.AddAgencyAsync("NA"), await hub.AddAgencyAsync("NB"));
        await a.PublishAsync(Records.Person("A-1", "Inés", "Garza Treviño", "1988-09-30", ssn: "611203845"));
        await b.PublishAsync(Records.Person("B-1", "Inés", "Garza Treviño", "1988-09-30", ssn: "611203845"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "A-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "B-1");
        await SettledClustersAsync(rows => rows.Count == 2, "a cluster of two", a, b);
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        await hub.WithServicesAsync(sp => sp.GetRequiredService<AdjudicationService>()
            .AdjudicateAsync(match.Id, AdjudicationDecision.NotSame, a.Code, "supervisor-1", "twins; checked with the family", bySupervisor: true));

        await SettledClustersAsync(rows => rows.Count == 0, "no cluster once the pair is judged NOT_SAME", a, b);
    }
}
