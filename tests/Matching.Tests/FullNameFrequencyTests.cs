using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// Full-name frequency (ADR-004, "On a full hub"): with full-name counts, agreeing names weigh no more than the records
/// holding the full name, less the pair's own person, support; without them, scoring is as before.
/// </summary>
public sealed class FullNameFrequencyTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // 4,000 records of distinct filler names, plus the given people; full names counted when asked.
    private NameFrequencies Population(bool fullNames, params (PersonInput Person, int Times)[] people)
    {
        var counter = new NameFrequencyCounter();
        void Add(PersonInput person, int times)
        {
            var evidence = _engine.BuildPersonEvidence(person);
            counter.Add(_engine.NameComponents(evidence), times);
            if (fullNames)
            {
                counter.Add(_engine.FullNameComponents(evidence), times);
            }
        }

        for (var i = 0; i < 4000; i++)
        {
            Add(new PersonInput($"Filler{(char)('a' + (i % 26))}{(char)('a' + (i / 26 % 26))}", $"Sample{(char)('a' + (i / 676 % 26))}{(char)('a' + (i % 17))}"), 1);
        }

        foreach (var (person, times) in people)
        {
            Add(person, times);
        }

        return counter.Snapshot();
    }

    private PersonMatchResult Score(PersonInput a, PersonInput b, NameFrequencies frequencies) =>
        _engine.ScorePersons(_engine.BuildPersonEvidence(a), _engine.BuildPersonEvidence(b), frequencies);

    [Fact]
    public void FullNameComponents_CompoundGivenAndTwoSurnames_EveryCombinationOfTheirWords()
    {
        var components = _engine.FullNameComponents(_engine.BuildPersonEvidence(new PersonInput("Juan Ramón", "Urquidi Zubieta")));

        Assert.All(components, c => Assert.Equal(NameComponentKind.Full, c.Kind));
        string[] expected = ["", "juan|urquidi", "juan|zubieta", "juan|urquidi zubieta", "ramon|urquidi", "ramon|zubieta", "ramon|urquidi zubieta",
            "juan ramon|urquidi", "juan ramon|zubieta", "juan ramon|urquidi zubieta"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), components.Select(c => c.Token).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FullNameComponents_NoGivenName_None()
    {
        Assert.Empty(_engine.FullNameComponents(_engine.BuildPersonEvidence(new PersonInput(null, "Urquidi"))));
    }

    [Fact]
    public void ScorePersons_FullNameHeldByOtherPeople_WeighsLessThanIndependentWords()
    {
        // "Ismael" and "Quintanilla" are each rare, but 12 other records hold them together (namesakes).
        var a = new PersonInput("Ismael", "Quintanilla", BirthDate: "1971-02-03");
        var b = new PersonInput("Ismael", "Quintanilla");
        var namesakes = (new PersonInput("Ismael", "Quintanilla"), 14);
        var without = Score(a, b, Population(fullNames: false, namesakes));
        var with = Score(a, b, Population(fullNames: true, namesakes));

        Assert.True(with.Score < without.Score - 1, $"{with.Score} vs {without.Score}");
        Assert.Contains("full name held by other records", with.Explanation[MatchField.Surname].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScorePersons_FullNameHeldOnlyByThePersonsOwnRecords_Unchanged()
    {
        // Three records of one person known to three agencies: the leave-out takes them as the pair's own.
        var a = new PersonInput("Ismael", "Quintanilla", BirthDate: "1971-02-03");
        var b = new PersonInput("Ismael", "Quintanilla");
        var own = (new PersonInput("Ismael", "Quintanilla"), 3);

        Assert.Equal(Score(a, b, Population(fullNames: false, own)).Score, Score(a, b, Population(fullNames: true, own)).Score);
    }

    [Fact]
    public void QuickScore_WithFullNameCounts_EqualsScorePersons()
    {
        var frequencies = Population(fullNames: true, (new PersonInput("Ismael", "Quintanilla"), 14));
        var a = _engine.BuildPersonEvidence(new PersonInput("Ismael", "Quintanilla Ruiz", BirthDate: "1971-02-03"));
        var b = _engine.BuildPersonEvidence(new PersonInput("Ismael", "Quintanilla"));
        var full = _engine.ScorePersons(a, b, frequencies);
        var quick = _engine.QuickScore(a, b, frequencies);

        Assert.Equal(full.Score, quick.Score);
        Assert.Equal(full.Band, quick.Band);
    }
}
