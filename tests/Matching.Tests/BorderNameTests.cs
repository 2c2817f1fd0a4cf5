using SharingHub.Matching.Blocking;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>The Hispanic name patterns of issue 11, each with names of its own (none from the border set's lists).</summary>
public sealed class BorderNameTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    private ComparisonVector Compare(PersonInput a, PersonInput b) =>
        _engine.Comparer.Compare(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b));

    private AgreementLevel Surnames(string a, string b) => Compare(new PersonInput("Octavio", a), new PersonInput("Octavio", b))[MatchField.Surname];

    private AgreementLevel GivenNames(string a, string b) => Compare(new PersonInput(a, "Zepeda"), new PersonInput(b, "Zepeda"))[MatchField.GivenName];

    [Theory]
    [InlineData("Quintanilla Barragán", "Quintanilla")]
    [InlineData("QUINTANILLA", "Quintanilla Barragán")]
    [InlineData("Quintanilla B.", "Quintanilla Barragán")]
    [InlineData("Quintanilla-Barragán", "Quintanilla Barragán")]
    [InlineData("QuintanillaBarragán", "Quintanilla Barragán")]
    [InlineData("Quintanilla y Barragán", "Quintanilla Barragán")]
    [InlineData("de los Santos", "Santos")]
    [InlineData("DelBosque", "Del Bosque")]
    [InlineData("DE LA ROSA", "de la Rosa")]
    public void CompareSurnames_PaternalOnlyAbbreviatedJoinedOrParticles_Exact(string a, string b) =>
        Assert.Equal(AgreementLevel.Exact, Surnames(a, b));

    [Fact]
    public void CompareSurnames_MaternalOnly_Partial() =>
        Assert.Equal(AgreementLevel.Partial, Surnames("Barragán", "Quintanilla Barragán"));

    [Theory]
    [InlineData("Quintanilla L.", "Quintanilla Barragán")]
    [InlineData("Ochoa Barragán", "Quintanilla Barragán")]
    public void CompareSurnames_ConflictingComponent_Disagree(string a, string b) =>
        Assert.Equal(AgreementLevel.Disagree, Surnames(a, b));

    [Theory]
    [InlineData("Juan Ramón", "Juan")]
    [InlineData("Juan Ramón", "Ramón")]
    [InlineData("María de los Remedios", "Remedios")]
    public void CompareGivenNames_OnePartOfACompound_Partial(string a, string b) => Assert.Equal(AgreementLevel.Partial, GivenNames(a, b));

    [Fact]
    public void CompareGivenNames_CompoundWithAndWithoutParticle_Exact() =>
        Assert.Equal(AgreementLevel.Exact, GivenNames("María del Socorro", "Maria Socorro"));

    [Theory]
    [InlineData("Chente", "Vicente")]
    [InlineData("Chava", "Salvador")]
    [InlineData("Lencho", "Florencio")]
    [InlineData("Goyo", "Gregorio")]
    [InlineData("Chago", "Santiago")]
    [InlineData("Poncho", "Alfonso")]
    [InlineData("Cuca", "Refugio")]
    [InlineData("Tacho", "Anastasio")]
    [InlineData("Joselo", "José")]
    public void CompareGivenNames_SpanishHypocoristic_Nickname(string a, string b) => Assert.Equal(AgreementLevel.Nickname, GivenNames(a, b));

    [Fact]
    public void CompareGivenNames_HypocoristicsOfDifferentNames_Disagree() =>
        Assert.Equal(AgreementLevel.Disagree, GivenNames("Chente", "Goyo"));

    [Fact]
    public void Compare_WholeNameInTheSurnameField_ReadAtItsSplitPoints()
    {
        var vector = Compare(new PersonInput(null, "ROGELIO DE LA ROSA"), new PersonInput("Rogelio", "de la Rosa"));

        Assert.Equal((AgreementLevel.Exact, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void Compare_GivenNameMissing_SurnameStillCounts()
    {
        var vector = Compare(new PersonInput(null, "Quintanilla"), new PersonInput("Octavio", "Quintanilla Barragán"));

        Assert.Equal((AgreementLevel.Missing, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void ScorePersons_YearOneOff_YearOffLevelWithItsWeight()
    {
        var result = _engine.ScorePersons(
            _engine.BuildPersonEvidence(new PersonInput("Octavio", "Quintanilla", BirthDate: "1979-12-05")),
            _engine.BuildPersonEvidence(new PersonInput("Octavio", "Quintanilla", BirthDate: "1980-12-05")));

        Assert.Equal(AgreementLevel.YearOff, result.Vector[MatchField.BirthDate]);
        Assert.Equal(Math.Round(MatchParameters.Default.WeightOf(MatchField.BirthDate, AgreementLevel.YearOff), 2), result.Explanation[MatchField.BirthDate].Weight);
        Assert.Contains("year one off", result.Explanation[MatchField.BirthDate].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PersonKeys_NoBirthDate_DateFreeKeyMeetsTheDatedRecord()
    {
        var undated = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Octavio", "Quintanilla Barragán")));
        var dated = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Octavio", "Quintanilla", BirthDate: "1979-12-05")));

        Assert.Contains("v:quint:oc", undated.Intersect(dated));
    }

    [Fact]
    public void PersonKeys_RunTogetherSurnameAndYearOff_ShareADateFreeKey()
    {
        var a = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Octavio", "QuintanillaBarragán", BirthDate: "1979-12-05")));
        var b = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Octavio", "Quintanilla", BirthDate: "1980-12-05")));

        Assert.Contains(a.Intersect(b), key => key.StartsWith("v:", StringComparison.Ordinal));
    }

    [Fact]
    public void PersonKeys_Hypocoristic_DateFreeKeyThroughTheNicknameGroup()
    {
        var a = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Chente", "Quintanilla")));
        var b = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Vicente", "Quintanilla")));

        Assert.Contains(a.Intersect(b), key => key.StartsWith("v:quint:#", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemeVersion_DateFreeKeys_Three() => Assert.Equal(3, BlockingKeys.SchemeVersion);
}
