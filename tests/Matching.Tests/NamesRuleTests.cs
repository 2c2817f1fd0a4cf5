using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// The names rule (ADR-004, issue 14): two records in which no name agrees, sharing no identifier, phone or address,
/// are not one person on their birth date and sex alone, whatever the score; anything personal in common, or an alias
/// that agrees, still links them. Both scoring paths (with the explanation, and the matcher's quick score) apply it.
/// </summary>
public sealed class NamesRuleTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // Strangers the d: key (given-name initial and full birth date) puts side by side.
    private static readonly PersonInput Marisol = new("Marisol", "Quintanilla Robles", BirthDate: "1988-03-14", Sex: "F");
    private static readonly PersonInput Mercedes = new("Mercedes", "Zubieta", BirthDate: "1988-03-14", Sex: "F");

    [Fact]
    public void ScorePersons_OnlyBirthDateAndSexAgree_NoBandAndTheRuleExplained()
    {
        var result = Score(Marisol, Mercedes);

        Assert.Equal(AgreementLevel.Disagree, result.Vector[MatchField.GivenName]);
        Assert.Equal(AgreementLevel.Disagree, result.Vector[MatchField.Surname]);
        Assert.True(result.Score >= MatchParameters.Default.Thresholds.Possible, $"score {result.Score}: the rule must be what keeps it out of Possible");
        Assert.Equal(MatchBand.None, result.Band);
        Assert.Contains("names rule", result.Explanation[MatchField.Surname].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void QuickScore_OnlyBirthDateAndSexAgree_NoBandAsTheFullScore()
    {
        var (a, b) = (_engine.BuildPersonEvidence(Marisol), _engine.BuildPersonEvidence(Mercedes));

        var quick = _engine.Scorer.QuickScore(_engine.Comparer, a, b, null);

        Assert.Equal(_engine.ScorePersons(a, b).Score, quick.Score);
        Assert.Equal(MatchBand.None, quick.Band);
    }

    [Fact]
    public void ScorePersons_OneGivenNameKnownAndDisagreeing_NoBand()
    {
        var result = Score(Marisol, Mercedes with { Surname = null });

        Assert.Equal(AgreementLevel.Missing, result.Vector[MatchField.Surname]);
        Assert.Equal(MatchBand.None, result.Band);
    }

    [Fact]
    public void ScorePersons_NamesApartButSharedPhone_StillBanded()
    {
        PhoneInput[] phone = [new PhoneInput("+52 867 555 0199")];
        var result = _engine.ScorePersons(_engine.BuildPersonEvidence(Marisol, phone), _engine.BuildPersonEvidence(Mercedes, phone));

        Assert.NotEqual(MatchBand.None, result.Band);
        Assert.DoesNotContain("names rule", result.Explanation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_NamesApartButSharedIdentifier_StillBanded()
    {
        IdentifierInput[] curp = [new IdentifierInput("curp", "QURM880314MTSNBR09")];

        var result = Score(Marisol with { Identifiers = curp }, Mercedes with { Identifiers = curp });

        Assert.Equal(MatchBand.Match, result.Band);
    }

    [Fact]
    public void ScorePersons_AliasAgrees_StillBanded()
    {
        var result = Score(Marisol, Mercedes with { Aliases = ["Marisol Quintanilla"] });

        Assert.NotEqual(MatchBand.None, result.Band);
    }

    private PersonMatchResult Score(PersonInput a, PersonInput b) =>
        _engine.ScorePersons(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b));
}
