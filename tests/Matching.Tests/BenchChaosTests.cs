using SharingHub.Bench.Chaos;

namespace SharingHub.Matching.Tests;

/// <summary>
/// Issue 15 item 5: the chaos run's pure parts (bench/Bench/Chaos, linked into this project): its population has
/// exactly the planned cross-agency matches, by the hub's own engine, and its ledger names every lost or duplicated
/// record, match and alert.
/// </summary>
public sealed class BenchChaosTests
{
    private static readonly string[] Agencies = ["A", "B", "C", "D"];

    [Fact]
    public void Population_HasTheRecordsAndPairsAskedFor_SpreadOverDistinctAgencies()
    {
        var population = ChaosPopulation.Create(10_000, Agencies, sharedShare: 0.1);

        Assert.Equal(10_000, population.Count);
        Assert.Equal(500, population.Expected.Count);
        Assert.All(population.Expected, p => Assert.NotEqual(p.AgencyA, p.AgencyB));
        Assert.All(Agencies, a => Assert.InRange(population.Records[a].Count, 2_300, 2_700));
        var ids = population.Records.Values.SelectMany(r => r).Select(r => (r.Agency, r.LocalId)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var byId = population.Records.Values.SelectMany(r => r).ToDictionary(r => (r.Agency, r.LocalId));
        Assert.All(population.Expected, p =>
        {
            var (a, b) = (byId[(p.AgencyA, p.LocalIdA)], byId[(p.AgencyB, p.LocalIdB)]);
            Assert.Equal((a.Given, a.Surname, a.Sex, a.Ssn), (b.Given, b.Surname, b.Sex, b.Ssn));
        });
    }

    [Fact]
    public void Population_IsTheSameForTheSameSeed()
    {
        var first = ChaosPopulation.Create(2_000, Agencies, seed: 7);
        var second = ChaosPopulation.Create(2_000, Agencies, seed: 7);

        Assert.Equal(first.Expected, second.Expected);
        Assert.All(Agencies, a => Assert.Equal(first.Records[a], second.Records[a]));
    }

    [Fact]
    public void Names_AreDistinctAndDifferInMostSyllables()
    {
        // Codewords of the GF(13) code differ in at least 8 of their 12 syllables (two letters each).
        var names = Enumerable.Range(0, 3_000).Select(ChaosPopulation.Names).Select(n => n.Given + n.Surname).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        for (var i = 0; i < 300; i++)
        {
            for (var j = i + 1; j < 300; j++)
            {
                var differing = Enumerable.Range(0, 12).Count(s => names[i].ToUpperInvariant()[2 * s] != names[j].ToUpperInvariant()[2 * s]);
                Assert.True(differing >= 8, $"{names[i]} and {names[j]} differ in {differing} syllables");
            }
        }
    }

    [Fact]
    public void Population_ByTheEngine_PlannedPairsScoreMatchAndNoOtherPairScoresAboveNone()
    {
        var population = ChaosPopulation.Create(20_000, Agencies);

        var result = ChaosEngineCheck.Run(population);

        Assert.Empty(result.BelowMatch);
        Assert.True(result.Candidates > 0, "the check scored no other pair: it would pass whatever the names");
        Assert.Equal(0, result.Possible);
        Assert.Equal(0, result.Match);
    }

    [Fact]
    public void Population_RefusesMoreRecordsThanItHasNames() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChaosPopulation.Create(ChaosPopulation.MaxPersons + 1, Agencies));

    [Fact]
    public void CheckRecords_NamesTheLostTheDuplicatedAndTheUnknown()
    {
        var population = ChaosPopulation.Create(100, ["A", "B"]);
        var all = population.Records.Values.SelectMany(r => r).ToList();
        var stored = all.Skip(1).Select(r => new StoredRecord(r.Agency, r.LocalId, 1)).ToList();
        stored[0] = stored[0] with { Rows = 2 };
        stored.Add(new StoredRecord("A", "nobody", 1));

        var check = ChaosLedger.CheckRecords(population, stored);

        Assert.False(check.Passed);
        Assert.Equal($"{all[0].Agency}/{all[0].LocalId}", Assert.Single(check.Lost));
        Assert.Equal($"{stored[0].Agency}/{stored[0].LocalId}", Assert.Single(check.Duplicated));
        Assert.Equal("A/nobody", Assert.Single(check.Unknown));
        Assert.True(ChaosLedger.CheckRecords(population, all.Select(r => new StoredRecord(r.Agency, r.LocalId, 1))).Passed);
    }

    [Fact]
    public void CheckMatches_NamesTheMissingTheDuplicatedAndTheUnexpected_AndOrderDoesNotMatter()
    {
        var expected = new[] { ExpectedMatch.Of("A", "1", "B", "2"), ExpectedMatch.Of("A", "3", "C", "4"), ExpectedMatch.Of("B", "5", "C", "6") };
        var found = new List<FoundMatch>
        {
            // Read back with the sides the other way round: the same pair.
            new(1, ExpectedMatch.Of("B", "2", "A", "1"), "Match"),
            new(2, expected[1], "Match"),
            new(3, expected[1], "Match"),
            new(4, ExpectedMatch.Of("A", "7", "D", "8"), "Possible"),
        };

        var check = ChaosLedger.CheckMatches(expected, found);

        Assert.False(check.Passed);
        Assert.Equal(expected[2], Assert.Single(check.Missing));
        Assert.Equal(expected[1], Assert.Single(check.Duplicated));
        Assert.Equal(4L, Assert.Single(check.Unexpected).MatchId);
        Assert.True(ChaosLedger.CheckMatches(expected, [.. expected.Select((e, i) => new FoundMatch(i, e, "Match"))]).Passed);
    }

    [Fact]
    public void CheckAlerts_NamesRaisedTwiceLostDeliveredTwiceUnknownAndUnalerted()
    {
        var match = new FoundMatch(10, ExpectedMatch.Of("A", "1", "B", "2"), "Match");
        var other = new FoundMatch(11, ExpectedMatch.Of("A", "3", "C", "4"), "Match");
        var raised = new List<RaisedAlert>
        {
            new(100, 10, "A", "Officers", "Deconfliction"),
            new(101, 10, "B", "Officers", "Deconfliction"),
            new(102, 10, "B", "Officers", "Deconfliction"),
            new(103, 11, "A", "Officers", "Deconfliction"),
        };

        List<string> delivered = ["100", "101", "101", "102", "999"];
        var check = ChaosLedger.CheckAlerts(raised, delivered, [match, other]);

        Assert.False(check.Passed);
        Assert.Single(check.RaisedTwice);
        Assert.Equal(103L, Assert.Single(check.Lost));
        Assert.Equal("101 x2", Assert.Single(check.DeliveredTwice));
        Assert.Equal("999", Assert.Single(check.DeliveredUnknown));
        Assert.Equal("match 11 (A/3 ~ C/4) has no alert for C", Assert.Single(check.Unalerted));

        List<string> once = ["101", "100"];
        var clean = ChaosLedger.CheckAlerts(raised.Take(2).ToList(), once, [match]);
        Assert.True(clean.Passed, string.Join("; ", clean.Lost));
    }
}
