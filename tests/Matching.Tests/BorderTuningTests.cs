using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// The border set's remaining misses and false matches (ADR-004, "Tuning on the border set"): run-together surnames
/// read by the hub's counts, typo and nickname agreements weighed by the commoner spelling, and the household rule
/// by a missing birth date. Names of their own, none from the border set's lists.
/// </summary>
public sealed class BorderTuningTests
{
    private static readonly PlaceInput[] Home = [new PlaceInput("2215 Calle Abasolo, Piedras Negras, Coah. 26000")];

    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // 3,000 records: "Anselmo Quiroga" and "Anselmo Betancourt" once each (so both surnames are words the hub has
    // seen), "Guadalupe Hernández" 300 times, fillers otherwise.
    private NameFrequencies Population()
    {
        var counter = new NameFrequencyCounter();
        void Add(PersonInput person, int times) => counter.Add(_engine.NameComponents(_engine.BuildPersonEvidence(person)), times);

        Add(new PersonInput("Anselmo", "Quiroga"), 1);
        Add(new PersonInput("Anselmo", "Betancourt"), 1);
        Add(new PersonInput("Herminio", "Villa"), 1);
        Add(new PersonInput("Guadalupe", "Hernández"), 300);
        for (var i = 0; i < 2697; i++)
        {
            Add(new PersonInput($"Filler{(char)('a' + (i % 26))}{(char)('a' + (i / 26 % 26))}", $"Sample{(char)('a' + (i / 676 % 26))}{(char)('a' + (i % 19))}"), 1);
        }

        return counter.Snapshot();
    }

    private ComparisonVector Compare(PersonInput a, PersonInput b, NameFrequencies? frequencies) =>
        _engine.Comparer.Compare(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b), frequencies);

    private AgreementLevel Surnames(string a, string b, NameFrequencies? frequencies) =>
        Compare(new PersonInput("Anselmo", a), new PersonInput("Anselmo", b), frequencies)[MatchField.Surname];

    [Theory]
    [InlineData("QuirogaBetancourt", "Quiroga")]
    [InlineData("Quiroga", "QUIROGABETANCOURT")]
    [InlineData("Quiroga B.", "QuirogaBetancourt")]
    public void CompareSurnames_RunTogetherAgainstPaternalAlone_Exact(string a, string b) =>
        Assert.Equal(AgreementLevel.Exact, Surnames(a, b, Population()));

    [Fact]
    public void CompareSurnames_RunTogetherAgainstMaternalAlone_Partial() =>
        Assert.Equal(AgreementLevel.Partial, Surnames("QuirogaBetancourt", "Betancourt", Population()));

    [Fact]
    public void CompareSurnames_RunTogetherWithConflictingInitial_NotExact() =>
        Assert.NotEqual(AgreementLevel.Exact, Surnames("Quiroga L.", "QuirogaBetancourt", Population()));

    [Fact]
    public void CompareSurnames_RestIsNoSurnameSeen_NotSplit() =>
        // "Villarreal" is not "Villa" + "rreal": no stored record has the surname word "rreal".
        Assert.NotEqual(AgreementLevel.Exact, Surnames("Villarreal", "Villa", Population()));

    [Fact]
    public void CompareSurnames_RunTogetherWithoutCounts_NotSplit() =>
        Assert.NotEqual(AgreementLevel.Exact, Surnames("QuirogaBetancourt", "Quiroga", null));

    [Theory]
    [InlineData("Ibarra DelToro", "Ibarra del Toro")]
    [InlineData("Ibarra DELOSRIOS", "Ibarra de los Ríos")]
    public void CompareSurnames_ParticleWrittenJoinedToItsWord_Exact(string a, string b) =>
        Assert.Equal(AgreementLevel.Exact, Surnames(a, b, null));

    [Fact]
    public void CompareGivenNames_NameThatStartsLikeAParticle_NotSplit() =>
        Assert.NotEqual(AgreementLevel.Exact, Compare(new PersonInput("Delia", "Ibarra"), new PersonInput("Lia", "Ibarra"), null)[MatchField.GivenName]);

    [Fact]
    public void ScorePersons_RunTogetherSurname_AgreedWordIsThePaternalSurname()
    {
        var result = _engine.ScorePersons(_engine.BuildPersonEvidence(new PersonInput("Anselmo", "QuirogaBetancourt")),
            _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga")), Population());

        Assert.Equal(["quiroga"], result.Vector.SurnameAgreed);
        Assert.Contains("rare name", result.Explanation[MatchField.Surname].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_TypoOfACommonSurname_PenalizedAsTheCommonName()
    {
        var result = _engine.ScorePersons(_engine.BuildPersonEvidence(new PersonInput("Anselmo", "Hernandes")),
            _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Hernández")), Population());

        Assert.Equal(AgreementLevel.Close, result.Vector[MatchField.Surname]);
        Assert.Contains("common name", result.Explanation[MatchField.Surname].ToString(), StringComparison.Ordinal);
        Assert.True(result.Explanation[MatchField.Surname].Weight < MatchParameters.Default.WeightOf(MatchField.Surname, AgreementLevel.Close));
    }

    [Fact]
    public void ScorePersons_TwoTyposOfARareSurname_NoRareBonus()
    {
        var result = _engine.ScorePersons(_engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroag")),
            _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quirgoa")), Population());

        Assert.Equal(AgreementLevel.Close, result.Vector[MatchField.Surname]);
        Assert.Equal(Math.Round(MatchParameters.Default.WeightOf(MatchField.Surname, AgreementLevel.Close), 2), result.Explanation[MatchField.Surname].Weight);
    }

    [Fact]
    public void ScorePersons_NicknameOfACommonName_PenalizedAsTheCommonName()
    {
        var result = _engine.ScorePersons(_engine.BuildPersonEvidence(new PersonInput("Lupe", "Quiroga")),
            _engine.BuildPersonEvidence(new PersonInput("Guadalupe", "Quiroga")), Population());

        Assert.Equal(AgreementLevel.Nickname, result.Vector[MatchField.GivenName]);
        Assert.Contains("common name", result.Explanation[MatchField.GivenName].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_PartOfACompoundAtOneAddressWithTheSameBirthYear_Match()
    {
        // A partial date that agrees tells a father from his son and sisters apart (but for twins): no household cap.
        var a = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1983", Sex: "M"), places: Home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Anselmo Tadeo", "Quiroga Betancourt", BirthDate: "1983-09-17", Sex: "M"), places: Home);

        var result = _engine.ScorePersons(a, b, Population());

        Assert.Equal(AgreementLevel.Partial, result.Vector[MatchField.BirthDate]);
        Assert.Equal(MatchBand.Match, result.Band);
    }

    [Fact]
    public void ScorePersons_NamesSwappedAtOneAddressWithoutBirthDate_GivenPartInTheSurnameSlot_AtMostPossible()
    {
        // "Quiroga Betancourt | Anselmo" (fields swapped) against his brother "Anselmo Tadeo Quiroga Betancourt": the
        // given names sit in the surname slot and agree only in part; without a date nothing tells the brothers apart.
        var a = _engine.BuildPersonEvidence(new PersonInput("Quiroga Betancourt", "Anselmo", Sex: "M"), places: Home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Anselmo Tadeo", "Quiroga Betancourt", BirthDate: "1983-09-17", Sex: "M"), places: Home);

        var result = _engine.ScorePersons(a, b, Population());

        Assert.True(result.Vector.NamesSwapped);
        Assert.True(PersonScorer.IsHousehold(result.Vector));
        Assert.NotEqual(MatchBand.Match, result.Band);
    }

    [Fact]
    public void ScorePersons_SameNameAtOneAddressWithDatesAYearApart_Match()
    {
        // A year off and a mistyped day on one record: the date disagrees, but a year apart is no father and son.
        var a = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1983-09-07", Sex: "M"), places: Home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1984-09-27", Sex: "M"), places: Home);
        var frequencies = Population();

        var result = _engine.ScorePersons(a, b, frequencies);

        Assert.Equal(AgreementLevel.Disagree, result.Vector[MatchField.BirthDate]);
        Assert.True(result.Vector.BirthYearsNear);
        Assert.False(PersonScorer.IsHousehold(result.Vector));
        Assert.Equal(MatchBand.Match, result.Band);
        Assert.Equal(MatchBand.Match, _engine.Scorer.QuickScore(_engine.Comparer, a, b, frequencies).Band);
    }

    [Fact]
    public void ScorePersons_FatherAndNamesakeSonAtOneAddress_AtMostPossible()
    {
        var father = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1958-09-07", Sex: "M"), places: Home);
        var son = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1983-09-07", Sex: "M"), places: Home);
        var frequencies = Population();

        var result = _engine.ScorePersons(father, son, frequencies);

        Assert.True(result.Score >= _engine.Parameters.Thresholds.Match);
        Assert.False(result.Vector.BirthYearsNear);
        Assert.Equal(MatchBand.Possible, result.Band);
        Assert.Equal(MatchBand.Possible, _engine.Scorer.QuickScore(_engine.Comparer, father, son, frequencies).Band);
    }

    [Fact]
    public void ScorePersons_PartOfACompoundAtOneAddressWithDatesAYearApart_AtMostPossible()
    {
        // Brothers "Anselmo" and "Anselmo Tadeo" born within a year: the given names agree only in part, so the near
        // dates do not lift the household rule.
        var a = _engine.BuildPersonEvidence(new PersonInput("Anselmo", "Quiroga Betancourt", BirthDate: "1983-09-07", Sex: "M"), places: Home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Anselmo Tadeo", "Quiroga Betancourt", BirthDate: "1984-08-02", Sex: "M"), places: Home);
        var frequencies = Population();

        var result = _engine.ScorePersons(a, b, frequencies);

        Assert.True(result.Score >= _engine.Parameters.Thresholds.Match);
        Assert.True(result.Vector.BirthYearsNear);
        Assert.Equal(MatchBand.Possible, result.Band);
        Assert.Equal(MatchBand.Possible, _engine.Scorer.QuickScore(_engine.Comparer, a, b, frequencies).Band);
    }
}
