using SharingHub.Matching.Clustering;

namespace SharingHub.Matching.Tests;

/// <summary>ADR-010: half-linkage with one record per agency.</summary>
public sealed class SubjectClusteringTests
{
    private static ClusterRecord R(long id, string agency) => new(id, agency);

    private static ClusterLink L(long a, long b, double score = 20) => new(a, b, score);

    [Fact]
    public void Cluster_ThreeAgenciesAllLinked_OneClusterOfThree() =>
        Assert.Equal([[1L, 2L, 3L]], SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "C")], [L(1, 2), L(2, 3), L(1, 3)]));

    [Fact]
    public void Cluster_ThirdRecordLinkedToOneOfAPair_JoinsIt() =>
        Assert.Equal([[1L, 2L, 3L]], SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "C")], [L(1, 2), L(2, 3)]));

    [Fact]
    public void Cluster_OneLinkBetweenTwoPairs_NeverChainsThem()
    {
        var clusters = SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "C"), R(4, "D")], [L(1, 2), L(3, 4), L(2, 3)]);

        Assert.Equal([[1L, 2L], [3L, 4L]], clusters);
    }

    [Fact]
    public void Cluster_OneLinkToATriangle_DoesNotJoin()
    {
        var clusters = SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "C"), R(4, "D")], [L(1, 2), L(2, 3), L(1, 3), L(3, 4)]);

        Assert.Equal([[1L, 2L, 3L]], clusters);
    }

    [Fact]
    public void Cluster_TwoRecordsOfOneAgency_NeverTogether()
    {
        // 2 and 3 are both agency B's: each links to 1, and they are even linked to each other.
        var clusters = SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "B")], [L(1, 2, 25), L(1, 3, 18), L(2, 3, 30)]);

        Assert.Equal([[1L, 2L]], clusters);
    }

    [Fact]
    public void Cluster_CompetingRecordsOfOneAgency_StrongerLinkWins() =>
        Assert.Equal([[1L, 3L]], SubjectClustering.Cluster([R(1, "A"), R(2, "B"), R(3, "B")], [L(1, 2, 17), L(1, 3, 24)]));

    [Fact]
    public void Cluster_LinkOrder_SameClusters()
    {
        ClusterRecord[] records = [R(1, "A"), R(2, "B"), R(3, "C"), R(4, "D"), R(5, "A"), R(6, "B")];
        ClusterLink[] links = [L(1, 2, 20), L(2, 3, 20), L(3, 4, 20), L(4, 5, 20), L(5, 6, 20), L(1, 3, 20), L(4, 6, 20)];
        var expected = SubjectClustering.Cluster(records, links);

        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            Assert.Equal(expected, SubjectClustering.Cluster(records.OrderBy(_ => random.Next()), links.OrderBy(_ => random.Next())));
        }
    }

    [Fact]
    public void Cluster_LinkToUnknownOrSameAgencyRecord_Ignored() =>
        Assert.Empty(SubjectClustering.Cluster([R(1, "A"), R(2, "A")], [L(1, 2), L(1, 9), L(1, 1)]));
}
