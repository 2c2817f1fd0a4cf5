using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// The thresholds rise with the number of person records stored (issue 14, ADR-004 "The prior at national load"):
/// a stranger who shares a birth date and a common given name with a new record is one of a handful in a task
/// force's first thousands of records, and one of dozens in a million.
/// </summary>
public sealed class PopulationPriorTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // "Mary" on 4 % of the records, each surname below on one; the rest fillers. The shares are the same at every
    // size, so the name weights are too, and only the population differs.
    private NameFrequencies Population(long records)
    {
        var counter = new NameFrequencyCounter();
        void Add(PersonInput person, long times) =>
            counter.Add(_engine.NameComponents(_engine.BuildPersonEvidence(person)), times);

        Add(new PersonInput("Mary", "Sanamar"), 1);
        Add(new PersonInput("Mary", "Zanbebra"), 1);
        Add(new PersonInput("Mary", "Fillerson"), (records / 25) - 2);
        Add(new PersonInput("Quentin", "Fillerson"), records - (records / 25));
        return counter.Snapshot();
    }

    private static readonly PersonInput Sanamar = new("Mary", "Sanamar", BirthDate: "1972-02-18", Sex: "F");
    private static readonly PersonInput Zanbebra = new("Mary", "Zanbebra", BirthDate: "1972-02-18", Sex: "F");

    private PersonMatchResult Score(PersonInput a, PersonInput b, NameFrequencies frequencies) =>
        _engine.ScorePersons(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b), frequencies);

    [Theory]
    [InlineData(4_000, 0)]
    [InlineData(10_000, 0)]
    [InlineData(1_000_000, 6.64)]
    [InlineData(10_000_000, 9.97)]
    public void ThresholdShift_PersonRecordsStored_Log2OfPopulationOverReference(long records, double expected)
    {
        Assert.Equal(expected, _engine.Scorer.ThresholdShift(Population(records)));
    }

    [Fact]
    public void ScorePersons_StrangersSharingBirthDateAndCommonGivenName_MatchInSmallHubOnlyPossibleInMillion()
    {
        var small = Score(Sanamar, Zanbebra, Population(4_000));
        var national = Score(Sanamar, Zanbebra, Population(1_000_000));

        Assert.Equal(MatchBand.Match, small.Band);
        Assert.Equal(small.Score, national.Score);
        Assert.Equal(MatchBand.Possible, national.Band);
    }

    [Fact]
    public void ScorePersons_SameRareNameAndBirthDate_StillMatchInTenMillion()
    {
        var result = Score(Sanamar, Sanamar with { Sex = null }, Population(10_000_000));

        Assert.Equal(MatchBand.Match, result.Band);
    }

    [Theory]
    [InlineData(4_000)]
    [InlineData(1_000_000)]
    public void QuickScore_AnyPopulation_SameScoreAndBandAsScorePersons(long records)
    {
        var frequencies = Population(records);
        var a = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(Sanamar)))!;
        var b = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(Zanbebra)))!;

        var quick = _engine.QuickScore(a, b, frequencies);
        var full = Score(Sanamar, Zanbebra, frequencies);

        Assert.Equal((full.Score, full.Band), (quick.Score, quick.Band));
    }
}
