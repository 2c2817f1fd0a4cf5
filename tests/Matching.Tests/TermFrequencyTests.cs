using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>Term-frequency adjusted name weights and the household rule (issue 11), on counts built in memory.</summary>
public sealed class TermFrequencyTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // A population of 4,000 records: "Leocadio Urquidi Zubieta" once, "María Hernández" 400 times, fillers otherwise.
    private NameFrequencies Population(params PersonInput[] extra)
    {
        var counter = new NameFrequencyCounter();
        void Add(PersonInput person, int times)
        {
            var components = _engine.NameComponents(_engine.BuildPersonEvidence(person));
            counter.Add(components, times);
        }

        Add(new PersonInput("Leocadio", "Urquidi Zubieta"), 1);
        Add(new PersonInput("María", "Hernández"), 400);
        for (var i = 0; i < 3599; i++)
        {
            Add(new PersonInput($"Filler{(char)('a' + (i % 26))}{(char)('a' + (i / 26 % 26))}", $"Sample{(char)('a' + (i / 676 % 26))}{(char)('a' + (i % 17))}"), 1);
        }

        foreach (var person in extra)
        {
            Add(person, 1);
        }

        return counter.Snapshot();
    }

    private PersonMatchResult Score(PersonInput a, PersonInput b, NameFrequencies? frequencies) =>
        _engine.ScorePersons(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b), frequencies);

    [Fact]
    public void ScorePersons_RareFullNameWithoutBirthDate_Match()
    {
        var frequencies = Population(new PersonInput("Leocadio", "Urquidi"));
        var result = Score(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1971-02-03"), new PersonInput("Leocadio", "Urquidi"), frequencies);

        Assert.Equal(MatchBand.Match, result.Band);
        Assert.Contains("rare name", result.Explanation[MatchField.GivenName].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_RareFullNameWithoutFrequencies_NotMatch()
    {
        var result = Score(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1971-02-03"), new PersonInput("Leocadio", "Urquidi"), null);

        Assert.NotEqual(MatchBand.Match, result.Band);
    }

    [Fact]
    public void ScorePersons_CommonFullNameWithoutBirthDate_NotMatchAndExplained()
    {
        var frequencies = Population();
        var result = Score(new PersonInput("María", "Hernández", BirthDate: "1971-02-03"), new PersonInput("Maria", "Hernandez"), frequencies);

        Assert.NotEqual(MatchBand.Match, result.Band);
        Assert.Contains("common name", result.Explanation[MatchField.GivenName].ToString(), StringComparison.Ordinal);
        Assert.True(result.Explanation[MatchField.GivenName].Weight < MatchParameters.Default.WeightOf(MatchField.GivenName, AgreementLevel.Exact));
    }

    [Fact]
    public void ScorePersons_FewRecordsCounted_NoAdjustment()
    {
        var counter = new NameFrequencyCounter();
        counter.Add(_engine.NameComponents(_engine.BuildPersonEvidence(new PersonInput("Leocadio", "Urquidi"))), 1);
        var result = Score(new PersonInput("Leocadio", "Urquidi"), new PersonInput("Leocadio", "Urquidi"), counter.Snapshot());

        Assert.Equal(Score(new PersonInput("Leocadio", "Urquidi"), new PersonInput("Leocadio", "Urquidi"), null).Score, result.Score);
    }

    private static readonly string[] ExpectedComponents =
        ["given:", "given:juan", "given:ramon", "given:juan ramon", "surname:", "surname:urquidi", "surname:zubieta", "surname:urquidi zubieta"];

    [Fact]
    public void NameComponents_CompoundAndDoubleSurname_WordsCombinationsAndPartCounts()
    {
        var components = _engine.NameComponents(_engine.BuildPersonEvidence(new PersonInput("Juan Ramón", "Urquidi Zubieta")));

        Assert.Equal(ExpectedComponents, components.Select(c => $"{c.Kind.ToString().ToLowerInvariant()}:{c.Token}"));
    }

    [Fact]
    public void Share_CombinationOfWords_CountedAsAPairNotAsIndependentWords()
    {
        var counter = new NameFrequencyCounter();
        for (var i = 0; i < 2000; i++)
        {
            counter.Add(_engine.NameComponents(_engine.BuildPersonEvidence(new PersonInput(i % 2 == 0 ? "Juan Ramón" : "Octavio", "Sample"))), 1);
        }

        var frequencies = counter.Snapshot();

        Assert.Equal(0.5, frequencies.Share(NameComponentKind.Given, NameFrequencies.Combination(["ramon", "juan"]), 1000));
    }

    // Household rule: a father and his namesake son at one address, and sisters, are not one person.
    [Fact]
    public void ScorePersons_SameNameSameAddressDifferentBirthDates_AtMostPossible()
    {
        PlaceInput[] home = [new PlaceInput("1402 Calle Morelos, Nuevo Laredo, Tamps. 88000")];
        var father = _engine.BuildPersonEvidence(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1961-02-03"), places: home);
        var son = _engine.BuildPersonEvidence(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1990-07-21"), places: home);

        var result = _engine.ScorePersons(father, son, Population());

        Assert.True(result.Score >= MatchParameters.Default.Thresholds.Match, $"score {result.Score}: the rule must be what keeps it out of Match");
        Assert.Equal(MatchBand.Possible, result.Band);
        Assert.Contains("household rule", result.Explanation[MatchField.BirthDate].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_SistersAtOneAddressWithoutBirthDate_AtMostPossible()
    {
        PlaceInput[] home = [new PlaceInput("1402 Calle Morelos, Nuevo Laredo, Tamps. 88000")];
        PhoneInput[] phone = [new PhoneInput("+52 867 555 0199")];
        var a = _engine.BuildPersonEvidence(new PersonInput("Remedios", "Urquidi Zubieta", Sex: "F"), phone, home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Remedios Itzel", "Urquidi Zubieta", BirthDate: "1994", Sex: "F"), phone, home);

        var result = _engine.ScorePersons(a, b, Population());

        Assert.True(result.Score >= MatchParameters.Default.Thresholds.Match, $"score {result.Score}: the rule must be what keeps it out of Match");
        Assert.Equal(MatchBand.Possible, result.Band);
    }

    [Fact]
    public void ScorePersons_SharedIdentifierAtOneAddress_RuleLifted()
    {
        PlaceInput[] home = [new PlaceInput("1402 Calle Morelos, Nuevo Laredo, Tamps. 88000")];
        IdentifierInput[] curp = [new IdentifierInput("curp", "UUZL610203HTSRBC09")];
        var a = _engine.BuildPersonEvidence(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1961-02-03", Identifiers: curp), places: home);
        var b = _engine.BuildPersonEvidence(new PersonInput("Leocadio", "Urquidi Zubieta", BirthDate: "1971-03-02", Identifiers: curp), places: home);

        Assert.Equal(MatchBand.Match, _engine.ScorePersons(a, b, Population()).Band);
    }
}
