using SharingHub.Matching.Blocking;

namespace SharingHub.Matching.Tests;

public sealed class CandidateRankingTests
{
    private static (string, IReadOnlyCollection<long>) Block(string key, params long[] records) => (key, records);

    private static long[] Range(long from, int count) => [.. Enumerable.Range(0, count).Select(i => from + i)];

    [Theory]
    [InlineData("n:KRS:1988", true)]
    [InlineData("m:KRS:1988:m", true)]
    [InlineData("v:garci:ma", true)]
    [InlineData("d:m:19880314", true)]
    [InlineData("z:KRS:77002", true)]
    [InlineData("x:ssn:123456789", false)]
    [InlineData("y:ssn:12345678", false)]
    [InlineData("p:+17135550199", false)]
    [InlineData("a:1200 main st #4", false)]
    [InlineData("q9vk1", false)]
    [InlineData("o9vk1/1:20789", false)]
    public void IsWeak_NameAndDateKeysOnly(string key, bool weak) => Assert.Equal(weak, CandidateRanking.IsWeak(key));

    [Fact]
    public void Choose_FewerWeakCandidatesThanTheLimit_KeepsThemAll()
    {
        var (chosen, pruned) = new CandidateRanking(10).Choose([Block("n:KRS:1988", 1, 2, 3), Block("m:KRS:1988:m", 2)]);

        Assert.Equal([1L, 2, 3], chosen.Order());
        Assert.Equal(0, pruned);
    }

    [Fact]
    public void Choose_ACommonNameBlock_KeepsTheCandidatesThatAlsoShareRarerKeys()
    {
        // 200 namesakes born the same year; two of them also share a given-name initial (a block of 20), one of
        // those also the full birth date (a block of 2).
        var (chosen, pruned) = new CandidateRanking(2).Choose([
            Block("n:KRS:1988", Range(1, 200)),
            Block("m:KRS:1988:m", [.. Range(100, 18), 150, 160]),
            Block("d:m:19880314", 160, 900)]);

        Assert.Equal([160L, 900], chosen.Order());
        Assert.Equal(201 - 2, pruned);
    }

    [Fact]
    public void Choose_StrongKey_AlwaysComparedWhateverTheRank()
    {
        var (chosen, pruned) = new CandidateRanking(1).Choose([
            Block("n:KRS:1988", Range(1, 50)),
            Block("d:m:19880314", 7),
            Block("p:+17135550199", 42),
            Block("x:ssn:123456789", 43)]);

        Assert.Equal([7L, 42, 43], chosen.Order());
        Assert.Equal(50 - 2 - 1, pruned);
    }

    [Fact]
    public void Choose_TiesInRank_GoToTheLowerRecordIdWhateverTheOrder()
    {
        var ranking = new CandidateRanking(3);

        var (forward, _) = ranking.Choose([Block("n:KRS:1988", 9, 5, 7, 1, 3)]);
        var (backward, _) = ranking.Choose([Block("n:KRS:1988", 3, 1, 7, 5, 9)]);

        Assert.Equal([1L, 3, 5], forward.Order());
        Assert.Equal(forward.Order(), backward.Order());
    }
}
