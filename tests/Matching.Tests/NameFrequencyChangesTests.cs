using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// <see cref="NameFrequencies.With"/>: a snapshot with some counts changed, as a replica builds it from the counts folded
/// since its last load, reads exactly as a snapshot built whole from the same counts.
/// </summary>
public sealed class NameFrequencyChangesTests
{
    private static readonly long Given = NameFrequencies.Hash(NameComponentKind.Given, string.Empty);
    private static readonly long Surname = NameFrequencies.Hash(NameComponentKind.Surname, string.Empty);

    private static Dictionary<long, long> Counts(int size) =>
        Enumerable.Range(1, size).ToDictionary(i => (long)i * 7919, i => (long)(i % 13) + 1);

    [Theory]
    [InlineData(10)]
    [InlineData(5000)]
    public void With_AddedChangedAndRemovedCounts_ReadsAsBuiltWhole(int changes)
    {
        var counts = Counts(1000);
        counts[Given] = 900;
        counts[Surname] = 1000;
        var snapshot = new NameFrequencies(counts);

        // New components, changed ones, removed ones (count 0), and the record counts moved.
        var changed = Enumerable.Range(0, changes).Select(i => KeyValuePair.Create(
            i % 3 == 0 ? 1_000_000L + i : (long)(1 + (i % 1000)) * 7919,
            i % 5 == 0 ? 0L : i + 1L)).ToList();
        changed.Add(KeyValuePair.Create(Given, 950L));
        changed.Add(KeyValuePair.Create(Surname, 1010L));
        var expected = new Dictionary<long, long>(counts);
        foreach (var (hash, count) in changed)
        {
            expected[hash] = count;
        }
        var whole = new NameFrequencies(expected);

        var updated = snapshot.With(changed);

        Assert.Equal(whole.Count, updated.Count);
        Assert.Equal((950L, 1010L, 1010L), (updated.GivenRecords, updated.SurnameRecords, updated.PersonRecords));
        foreach (var hash in expected.Keys.Concat(counts.Keys).Append(42L))
        {
            Assert.Equal(whole.CountOf(hash), updated.CountOf(hash));
        }
        // The snapshot it came from is unchanged.
        Assert.Equal((900L, counts.Count), (snapshot.GivenRecords, snapshot.Count));
    }

    [Fact]
    public void With_ChangesInTurn_LatestCountWins()
    {
        var snapshot = new NameFrequencies(Counts(100));
        var hash = 7919L * 3;

        var updated = snapshot.With([KeyValuePair.Create(hash, 0L)]).With([KeyValuePair.Create(hash, 40L)]).With([KeyValuePair.Create(99L, 2L)]);

        Assert.Equal((40L, 2L, 101), (updated.CountOf(hash), updated.CountOf(99L), updated.Count));
    }

    [Fact]
    public void With_NoChanges_TheSameSnapshot()
    {
        var snapshot = new NameFrequencies(Counts(10));

        Assert.Same(snapshot, snapshot.With([]));
    }
}
