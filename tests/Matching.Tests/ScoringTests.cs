using System.Text;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

public sealed class PersonComparerTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    private ComparisonVector Compare(PersonInput a, PersonInput b, PhoneInput[]? phonesA = null, PhoneInput[]? phonesB = null,
        PlaceInput[]? placesA = null, PlaceInput[]? placesB = null) =>
        _engine.Comparer.Compare(_engine.BuildPersonEvidence(a, phonesA, placesA), _engine.BuildPersonEvidence(b, phonesB, placesB));

    private static readonly PersonInput MariaJose = new("María José", "García López", BirthDate: "1988-03-14");

    [Fact]
    public void Compare_MariaGarcia_PartialGivenAndPaternalSurnameExact()
    {
        // The paternal surname alone is how many agencies write a Hispanic name: not a difference (issue 11).
        var vector = Compare(MariaJose, new PersonInput("Maria", "Garcia"));

        Assert.Equal((AgreementLevel.Partial, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void Compare_MariaJLopez_InitialIsConsistentAndSecondSurnameMatches()
    {
        var vector = Compare(MariaJose, new PersonInput("Maria J.", "Lopez"));

        Assert.Equal((AgreementLevel.Partial, AgreementLevel.Partial), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void Compare_SurnameCommaGivenForm_ExactSurnamePartialGiven()
    {
        var vector = Compare(MariaJose, new PersonInput(null, "GARCIA-LOPEZ, MARIA"));

        Assert.Equal((AgreementLevel.Partial, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void Compare_SameNameWithoutDiacritics_Exact()
    {
        var vector = Compare(MariaJose, new PersonInput("MARIA JOSE", "GARCIA LOPEZ"));

        Assert.Equal((AgreementLevel.Exact, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void Compare_AllFourMariaJoseVariants_ScoreAtLeastPossibleWithSameBirthDate()
    {
        PersonInput[] variants =
        [
            new("Maria", "Garcia", BirthDate: "1988-03-14"),
            new("Maria J.", "Lopez", BirthDate: "1988-03-14"),
            new(null, "GARCIA-LOPEZ, MARIA", BirthDate: "1988-03-14"),
            new("María José", "García López", BirthDate: "1988-03-14"),
        ];

        foreach (var variant in variants)
        {
            var result = _engine.ScorePersons(_engine.BuildPersonEvidence(MariaJose), _engine.BuildPersonEvidence(variant));
            Assert.Equal(MatchBand.Match, result.Band);
        }
    }

    [Theory]
    [InlineData("William", "Bill")]
    [InlineData("José", "Pepe")]
    [InlineData("Guadalupe", "Lupe")]
    [InlineData("María José", "Majo")]
    public void Compare_Nickname_NicknameLevel(string a, string b) =>
        Assert.Equal(AgreementLevel.Nickname, Compare(new PersonInput(a, "Smith"), new PersonInput(b, "Smith"))[MatchField.GivenName]);

    [Theory]
    [InlineData("Jonathan", "Jonathon")]
    [InlineData("Michael", "Micheal")]
    [InlineData("Gonzalez", "Gonzales")]
    public void Compare_OneTypo_Close(string a, string b) =>
        Assert.Equal(AgreementLevel.Close, Compare(new PersonInput("Ann", a), new PersonInput("Ann", b))[MatchField.Surname]);

    [Fact]
    public void Compare_SoundsAlikeButNotClose_Phonetic() =>
        Assert.Equal(AgreementLevel.Phonetic, Compare(new PersonInput("Ann", "Schmidt"), new PersonInput("Ann", "Smith"))[MatchField.Surname]);

    [Fact]
    public void Compare_InitialOnly_Initial() =>
        Assert.Equal(AgreementLevel.Initial, Compare(new PersonInput("J.", "Smith"), new PersonInput("John", "Smith"))[MatchField.GivenName]);

    [Fact]
    public void Compare_ConflictingSecondGivenName_Disagree() =>
        Assert.Equal(AgreementLevel.Disagree, Compare(new PersonInput("María Teresa", "Ruiz"), new PersonInput("María Laura", "Ruiz"))[MatchField.GivenName]);

    [Fact]
    public void Compare_RepeatedSurnameVersusDifferentSurnames_NotExact() =>
        Assert.NotEqual(AgreementLevel.Exact, Compare(new PersonInput("Ana", "García García"), new PersonInput("Ana", "García Martínez"))[MatchField.Surname]);

    [Fact]
    public void Compare_ParticleSpelledTogether_Exact() =>
        Assert.Equal(AgreementLevel.Exact, Compare(new PersonInput("Ana", "de la Cruz"), new PersonInput("Ana", "DELACRUZ"))[MatchField.Surname]);

    [Fact]
    public void Compare_GivenAndSurnameSwapped_ExactLevelsFlaggedAsSwapped()
    {
        var vector = Compare(new PersonInput("Taylor", "Morgan"), new PersonInput("Morgan", "Taylor"));

        Assert.Equal((AgreementLevel.Exact, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
        Assert.True(vector.NamesSwapped);
    }

    [Fact]
    public void Compare_WholeNameInGivenField_ReadAtTheRightSplit()
    {
        var vector = Compare(new PersonInput("Jose Ricardo Garcia Gomez", null), new PersonInput("José Ricardo", "García Gómez"));

        Assert.Equal((AgreementLevel.Exact, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
    }

    [Fact]
    public void PersonKeys_WholeNameInGivenField_SharesSurnameKeyWithSplitRecord()
    {
        var whole = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Jose Ricardo Garcia Gomez", null, BirthDate: "1996")));
        var split = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("José Ricardo", "García Gómez", BirthDate: "1996-11-26")));

        Assert.Contains("n:KRS:1996", whole.Intersect(split));
    }

    [Fact]
    public void Compare_AliasMatches_FlaggedViaAlias()
    {
        var vector = Compare(new PersonInput("Robert", "Smith", Aliases: ["Pepe Garcia"]), new PersonInput("José", "García"));

        Assert.Equal((AgreementLevel.Nickname, AgreementLevel.Exact), (vector[MatchField.GivenName], vector[MatchField.Surname]));
        Assert.True(vector.ViaAlias);
    }

    [Theory]
    [InlineData("1988-03-14", "1988-14-03", AgreementLevel.Missing)]
    [InlineData("1988-03-04", "1988-04-03", AgreementLevel.Transposed)]
    [InlineData("1988", "1988-03-14", AgreementLevel.Partial)]
    [InlineData("1988-03-14", "1988-03-15", AgreementLevel.Close)]
    [InlineData("1988-03-14", "1971-01-30", AgreementLevel.Disagree)]
    public void Compare_BirthDates_Level(string a, string b, AgreementLevel expected) =>
        Assert.Equal(expected, Compare(new PersonInput("A", "B", BirthDate: a), new PersonInput("A", "B", BirthDate: b))[MatchField.BirthDate]);

    [Fact]
    public void Compare_InvalidBirthDate_MissingAndReportedAsProblem()
    {
        var evidence = _engine.BuildPersonEvidence(new PersonInput("A", "B", BirthDate: "1988-14-03"));

        Assert.Null(evidence.BirthDate);
        Assert.Equal("birthDate", Assert.Single(evidence.Problems).Field);
    }

    [Fact]
    public void Compare_MultipleIdentifiersOneShared_Exact() =>
        Assert.Equal(AgreementLevel.Exact, Compare(
            new PersonInput("A", "B", Identifiers: [new IdentifierInput("passport:MX", "G1234567"), new IdentifierInput("ssn", "123-45-6789")]),
            new PersonInput("A", "B", Identifiers: [new IdentifierInput("SSN", "123456789")]))[MatchField.Identifier]);

    [Fact]
    public void Compare_SameTypeDifferentValues_Disagree() =>
        Assert.Equal(AgreementLevel.Disagree, Compare(new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "123456789")]),
            new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "987654321")]))[MatchField.Identifier]);

    [Fact]
    public void Compare_SameTypeOneTypo_Close() =>
        Assert.Equal(AgreementLevel.Close, Compare(new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "123456789")]),
            new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "123456798")]))[MatchField.Identifier]);

    [Fact]
    public void Compare_DifferentIdentifierTypes_Missing() =>
        Assert.Equal(AgreementLevel.Missing, Compare(new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "123456789")]),
            new PersonInput("A", "B", Identifiers: [new IdentifierInput("passport", "123456789")]))[MatchField.Identifier]);

    [Fact]
    public void Compare_Sex_ExactDisagreeMissing()
    {
        Assert.Equal(AgreementLevel.Exact, Compare(new PersonInput("A", "B", Sex: "F"), new PersonInput("A", "B", Sex: "female"))[MatchField.Sex]);
        Assert.Equal(AgreementLevel.Disagree, Compare(new PersonInput("A", "B", Sex: "F"), new PersonInput("A", "B", Sex: "M"))[MatchField.Sex]);
        Assert.Equal(AgreementLevel.Missing, Compare(new PersonInput("A", "B", Sex: "F"), new PersonInput("A", "B", Sex: "x"))[MatchField.Sex]);
    }

    [Fact]
    public void Compare_SharedPhoneOverlappingValidity_Exact() =>
        Assert.Equal(AgreementLevel.Exact, Compare(new PersonInput("A", "B"), new PersonInput("A", "B"),
            [new PhoneInput("(713) 555-0199")], [new PhoneInput("+17135550199", new DateOnly(2026, 1, 1))])[MatchField.Phone]);

    [Fact]
    public void Compare_SamePhoneDisjointValidity_Disagree() =>
        Assert.Equal(AgreementLevel.Disagree, Compare(new PersonInput("A", "B"), new PersonInput("A", "B"),
            [new PhoneInput("7135550199", null, new DateOnly(2020, 1, 1))], [new PhoneInput("7135550199", new DateOnly(2024, 1, 1))])[MatchField.Phone]);

    [Fact]
    public void Compare_NoPhones_Missing() =>
        Assert.Equal(AgreementLevel.Missing, Compare(new PersonInput("A", "B"), new PersonInput("A", "B"), [new PhoneInput("7135550199")])[MatchField.Phone]);

    [Theory]
    [InlineData("1200 Main Street Apt 4", "1200 MAIN ST #4, Houston TX", AgreementLevel.Exact)]
    [InlineData("1200 Main Street, Houston TX 77002", "1200 Mian Street, Houston TX 77002", AgreementLevel.Close)]
    [InlineData("1200 Main Street, Houston TX 77002", "1250 Main Street, Houston TX 77002", AgreementLevel.Partial)]
    [InlineData("1200 Main Street, Houston TX 77002", "8 Westheimer Road, Houston TX 77006", AgreementLevel.Disagree)]
    public void Compare_Addresses_Level(string a, string b, AgreementLevel expected) =>
        Assert.Equal(expected, Compare(new PersonInput("A", "B"), new PersonInput("A", "B"), placesA: [new PlaceInput(a)], placesB: [new PlaceInput(b)])[MatchField.Address]);
}

public sealed class PersonScorerTests
{
    private static MatchParameters Parameters(double match, double possible) => MatchParameters.Default with
    {
        Thresholds = new BandThresholds(match, possible),
    };

    [Fact]
    public void Score_Explanation_ListsEveryFieldWithLevelAndWeight()
    {
        var engine = MatchingEngine.CreateDefault();
        var result = engine.ScorePersons(
            engine.BuildPersonEvidence(new PersonInput("William", "Schmidt", BirthDate: "1971-03-02")),
            engine.BuildPersonEvidence(new PersonInput("Bill", "Smith", BirthDate: "1971-02-03")));

        var surname = result.Explanation[MatchField.Surname];
        Assert.Equal(AgreementLevel.Phonetic, surname.Level);
        Assert.Equal(Math.Round(engine.Parameters.WeightOf(MatchField.Surname, AgreementLevel.Phonetic), 2), surname.Weight);
        Assert.StartsWith("Surname: phonetic agreement (+", surname.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Given name: nickname agreement (+", result.Explanation[MatchField.GivenName].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Date of birth: day and month transposed (+", result.Explanation[MatchField.BirthDate].ToString(), StringComparison.Ordinal);
        Assert.Equal("Phone: missing on one side (0.0)", result.Explanation[MatchField.Phone].ToString());
        Assert.Equal(Levels.Fields.Count, result.Explanation.Fields.Count);
        Assert.Equal(Math.Round(result.Explanation.Fields.Sum(field => field.Weight), 1), Math.Round(result.Score, 1));
        Assert.Equal(engine.Parameters.Version, result.ParametersVersion);
    }

    [Fact]
    public void Score_SwappedNames_ExplanationSaysSo()
    {
        var engine = MatchingEngine.CreateDefault();
        var result = engine.ScorePersons(engine.BuildPersonEvidence(new PersonInput("Taylor", "Morgan")), engine.BuildPersonEvidence(new PersonInput("Morgan", "Taylor")));

        Assert.Contains("given name and surname swapped", result.Explanation[MatchField.Surname].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10.0, MatchBand.Match)]
    [InlineData(9.99, MatchBand.Possible)]
    [InlineData(2.0, MatchBand.Possible)]
    [InlineData(1.99, MatchBand.None)]
    [InlineData(-30.0, MatchBand.None)]
    public void BandOf_ScoreAgainstThresholds_Band(double score, MatchBand expected) =>
        Assert.Equal(expected, new PersonScorer(Parameters(10, 2)).BandOf(score));

    [Fact]
    public void Score_ThresholdsFromParameters_ChangeTheBand()
    {
        var vector = ComparisonVector.Create(new Dictionary<MatchField, AgreementLevel> { [MatchField.Surname] = AgreementLevel.Exact });
        var weight = MatchParameters.Default.WeightOf(MatchField.Surname, AgreementLevel.Exact);

        Assert.Equal(MatchBand.Match, new PersonScorer(Parameters(weight - 0.1, -5)).Score(vector).Band);
        Assert.Equal(MatchBand.Possible, new PersonScorer(Parameters(weight + 0.1, -5)).Score(vector).Band);
        Assert.Equal(MatchBand.None, new PersonScorer(Parameters(weight + 1, weight + 0.5)).Score(vector).Band);
    }

    [Fact]
    public void ScoreOf_AllMissing_Zero() =>
        Assert.Equal(0, new PersonScorer(MatchParameters.Default).ScoreOf(ComparisonVector.Create(new Dictionary<MatchField, AgreementLevel>())));

    [Fact]
    public void Weight_CappedLevel_NeverAboveCap()
    {
        var capped = new LevelProbabilities(0.5, 1e-9, MaxWeight: 8);

        Assert.Equal(8, capped.Weight);
        Assert.Equal(Math.Log2(0.5 / 0.01), new LevelProbabilities(0.5, 0.01).Weight, 9);
    }
}

public sealed class MatchParametersTests
{
    [Fact]
    public void Default_EmbeddedFile_ValidVersionedAndEstimatedByEm()
    {
        var parameters = MatchParameters.Default;

        Assert.False(string.IsNullOrWhiteSpace(parameters.Version));
        Assert.Equal("em", parameters.Provenance.Method);
        Assert.True(parameters.Thresholds.Match > parameters.Thresholds.Possible);
    }

    [Fact]
    public void Load_RoundTripOfDefault_SameWeights()
    {
        var json = MatchParameters.Default.ToJson();
        var loaded = MatchParameters.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        foreach (var field in Levels.Fields)
        {
            foreach (var level in Levels.Of(field))
            {
                Assert.Equal(MatchParameters.Default.WeightOf(field, level), loaded.WeightOf(field, level), 9);
            }
        }
    }

    [Fact]
    public void Load_FromPath_UsedByEngine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"params-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, (MatchParameters.Default with { Version = "test-from-path" }).ToJson());
        try
        {
            var engine = new MatchingEngine(new MatchingOptions { ParametersPath = path });

            Assert.Equal("test-from-path", engine.Parameters.Version);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("\"version\": \"2026-11-22.em-febrl23.1\"", "\"version\": \"\"", "'version'")]
    [InlineData("\"match\": 16.6", "\"match\": -50", "'thresholds'")]
    [InlineData("\"surname\": {", "\"surnames\": {", "surnames")]
    public void Load_BrokenFile_ErrorNamesTheKey(string find, string replace, string expectedInMessage)
    {
        var json = MatchParameters.Default.ToJson();
        Assert.Contains(find.Replace("2026-11-22.em-febrl23.1", MatchParameters.Default.Version, StringComparison.Ordinal).Replace("16.6", MatchParameters.Default.Thresholds.Match.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), json, StringComparison.Ordinal);
        var broken = json.Replace(find.Replace("2026-11-22.em-febrl23.1", MatchParameters.Default.Version, StringComparison.Ordinal).Replace("16.6", MatchParameters.Default.Thresholds.Match.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), replace, StringComparison.Ordinal);

        var exception = Assert.Throws<InvalidMatchParametersException>(() => MatchParameters.Load(new MemoryStream(Encoding.UTF8.GetBytes(broken))));

        Assert.Contains(expectedInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ProbabilityOutOfRange_ErrorNamesFieldAndLevel()
    {
        var fields = MatchParameters.Default.Fields.ToDictionary(pair => pair.Key, pair => pair.Value);
        var surname = fields[MatchField.Surname].ToDictionary(pair => pair.Key, pair => pair.Value);
        surname[AgreementLevel.Close] = new LevelProbabilities(1.5, 0.1);
        fields[MatchField.Surname] = surname;

        var exception = Assert.Throws<InvalidMatchParametersException>(() => (MatchParameters.Default with { Fields = fields }).Validate());

        Assert.Contains("fields.surname.close", exception.Message, StringComparison.Ordinal);
    }
}

public sealed class EmEstimatorTests
{
    [Fact]
    public void Estimate_VectorsDrawnFromAKnownModel_RecoversMAndUAndPrior()
    {
        // Two fields with known m/u; EM must find them again from unlabelled vectors.
        var random = new Random(42);
        var truthM = new Dictionary<MatchField, double[]> { [MatchField.Surname] = [0.9, 0.1], [MatchField.BirthDate] = [0.85, 0.15], [MatchField.Identifier] = [0.8, 0.2] };
        var truthU = new Dictionary<MatchField, double[]> { [MatchField.Surname] = [0.05, 0.95], [MatchField.BirthDate] = [0.01, 0.99], [MatchField.Identifier] = [0.001, 0.999] };
        var vectors = new List<ComparisonVector>();
        for (var i = 0; i < 60_000; i++)
        {
            var isMatch = random.NextDouble() < 0.2;
            var levels = new Dictionary<MatchField, AgreementLevel>();
            foreach (var field in truthM.Keys)
            {
                var agree = random.NextDouble() < (isMatch ? truthM[field][0] : truthU[field][0]);
                levels[field] = agree ? AgreementLevel.Exact : AgreementLevel.Disagree;
            }

            vectors.Add(ComparisonVector.Create(levels));
        }

        var start = MatchParameters.Default;
        var result = EmEstimator.Estimate(vectors, start, initialMatchPrior: 0.5);

        // Sampling noise on 60,000 pairs allows about ±0.02 on λ and m and ±0.01 on u.
        Assert.True(result.Converged);
        Assert.InRange(result.MatchPrior, 0.18, 0.22);
        foreach (var field in truthM.Keys)
        {
            var exact = result.Parameters.Fields[field][AgreementLevel.Exact];
            Assert.InRange(exact.M, truthM[field][0] - 0.03, truthM[field][0] + 0.03);
            Assert.InRange(exact.U, truthU[field][0] - 0.01, truthU[field][0] + 0.01);
        }
    }

    [Fact]
    public void Estimate_LevelNeverSeen_KeepsStartingWeight()
    {
        var vectors = Enumerable.Range(0, 500).Select(i => ComparisonVector.Create(new Dictionary<MatchField, AgreementLevel>
        {
            [MatchField.Surname] = i % 3 == 0 ? AgreementLevel.Exact : AgreementLevel.Disagree,
            [MatchField.BirthDate] = i % 3 == 0 ? AgreementLevel.Exact : AgreementLevel.Disagree,
        })).ToList();

        var result = EmEstimator.Estimate(vectors, MatchParameters.Default);

        Assert.Equal(MatchParameters.Default.WeightOf(MatchField.Phone, AgreementLevel.Exact), result.Parameters.WeightOf(MatchField.Phone, AgreementLevel.Exact), 6);
        Assert.Equal("em", result.Parameters.Provenance.Method);
    }
}

public sealed class ComparisonVectorTests
{
    [Fact]
    public void ToString_ThenParse_SameLevelsAndFlags()
    {
        var engine = MatchingEngine.CreateDefault();
        var vector = engine.Comparer.Compare(
            engine.BuildPersonEvidence(new PersonInput("Taylor", "Morgan", BirthDate: "1980-01-02")),
            engine.BuildPersonEvidence(new PersonInput("Morgan", "Taylor", BirthDate: "1980-02-01")));

        var text = vector.ToString();
        var parsed = ComparisonVector.Parse(text);

        Assert.Equal("eetmmmm/s", text);
        Assert.All(Levels.Fields, field => Assert.Equal(vector[field], parsed[field]));
        Assert.True(parsed.NamesSwapped);
        Assert.Equal(engine.Scorer.ScoreOf(vector), engine.Scorer.ScoreOf(parsed));
    }

    [Theory]
    [InlineData("eee")]
    [InlineData("eeeeeeeX")]
    [InlineData("eetnmmm")]
    [InlineData("eetmmmm/x")]
    public void Parse_Malformed_FormatException(string text) =>
        Assert.Throws<FormatException>(() => ComparisonVector.Parse(text));
}
