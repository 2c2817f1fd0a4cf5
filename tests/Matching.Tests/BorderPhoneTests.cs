using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>Issue 11 item 5: Mexican numbers read across the border, and the partial phone level.</summary>
public sealed class BorderPhoneTests
{
    private static readonly MatchingEngine Engine = MatchingEngine.CreateDefault();

    private static readonly MatchingEngine BorderEngine = BorderEngineOf();

    private static MatchingEngine BorderEngineOf()
    {
        var options = new MatchingOptions { DefaultRegion = "US" };
        options.NeighbourRegions.Add("MX");
        return new MatchingEngine(options);
    }

    private static readonly PersonInput Rosa = new("Rosa Elena", "Cavazos Treviño", BirthDate: "1991-07-22", Sex: "F");

    private static PersonMatchResult Score(MatchingEngine engine, string phoneA, string phoneB, PersonInput? b = null) =>
        engine.ScorePersons(engine.BuildPersonEvidence(Rosa, [new PhoneInput(phoneA)]), engine.BuildPersonEvidence(b ?? Rosa, [new PhoneInput(phoneB)]));

    [Theory]
    [InlineData("(868) 204-3719")]
    [InlineData("52 868 204 3719")]
    [InlineData("00 52 868 204 3719")]
    [InlineData("011 52 868 204 3719")]
    [InlineData("044 868 204 3719")]
    [InlineData("+52 1 868 204 3719")]
    public void NormalizePhone_UsEngineWithMexicoNeighbour_SameE164AsWrittenWithCountryCode(string written) =>
        Assert.Equal("+528682043719", BorderEngine.NormalizePhone(new PhoneInput(written)).E164);

    [Fact]
    public void ScorePersons_SameNationalNumberDifferentCountryCodes_PartialCappedAndExplained()
    {
        var result = Score(Engine, "(868) 204-3719", "+52 868 204 3719");

        var phone = result.Explanation[MatchField.Phone];
        Assert.Equal(AgreementLevel.Partial, phone.Level);
        Assert.True(phone.Weight is > 0 and <= 4, $"partial phone weight {phone.Weight} must be positive and at most its cap of 4");
        Assert.True(phone.Weight < Engine.Parameters.WeightOf(MatchField.Phone, AgreementLevel.Exact));
        Assert.Contains("different country codes", phone.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_SameNumberRead_ExactWithoutNote()
    {
        var phone = Score(BorderEngine, "(868) 204-3719", "+52 868 204 3719").Explanation[MatchField.Phone];

        Assert.Equal(AgreementLevel.Exact, phone.Level);
        Assert.Null(phone.Note);
    }

    [Fact]
    public void ScorePersons_DifferentNationalNumbers_Disagree() =>
        Assert.Equal(AgreementLevel.Disagree, Score(Engine, "(868) 204-3719", "+52 868 204 3791").Vector[MatchField.Phone]);

    [Fact]
    public void ScorePersons_PartialPhoneDisjointValidity_Disagree()
    {
        var a = Engine.BuildPersonEvidence(Rosa, [new PhoneInput("(868) 204-3719", null, new DateOnly(2020, 1, 1))]);
        var b = Engine.BuildPersonEvidence(Rosa, [new PhoneInput("+52 868 204 3719", new DateOnly(2024, 1, 1))]);

        Assert.Equal(AgreementLevel.Disagree, Engine.ScorePersons(a, b).Vector[MatchField.Phone]);
    }

    [Fact]
    public void MatchPhones_SameNationalNumberDifferentCountryCodes_NoSharedPhone() =>
        Assert.Null(Engine.MatchPhones(Engine.NormalizePhone(new PhoneInput("(868) 204-3719", SubjectRef: "A-1")),
            Engine.NormalizePhone(new PhoneInput("+52 868 204 3719", SubjectRef: "B-1"))));

    [Fact]
    public void ComparisonVector_PartialPhone_RoundTripsThroughText()
    {
        var vector = Score(Engine, "(868) 204-3719", "+52 868 204 3719").Vector;

        Assert.Equal(AgreementLevel.Partial, ComparisonVector.Parse(vector.ToString())[MatchField.Phone]);
    }
}
