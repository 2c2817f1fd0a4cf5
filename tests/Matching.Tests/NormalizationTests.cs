using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Tests;

public sealed class TextFoldingTests
{
    [Theory]
    [InlineData("José", "jose")]
    [InlineData("MUÑOZ", "munoz")]
    [InlineData("García-López", "garcia lopez")]
    [InlineData("O'Brien", "obrien")]
    [InlineData("  Straße  ", "strasse")]
    [InlineData("Ærø", "aero")]
    [InlineData("Maria J. Lopez", "maria j lopez")]
    [InlineData("", "")]
    public void Fold_MixedScriptAndPunctuation_LowerAsciiWithSingleSpaces(string input, string expected) =>
        Assert.Equal(expected, TextFolding.Fold(input));

    [Fact]
    public void Fold_KeptCharacter_SurvivesWhileOtherPunctuationSplits() =>
        Assert.Equal("apt #4 b", TextFolding.Fold("Apt #4-B", keep: "#"));
}

public sealed class NameNormalizerTests
{
    private readonly NameNormalizer _normalizer = new(NicknameTable.Default);

    [Fact]
    public void Normalize_DoubleSurname_SplitsIntoTwoTokens()
    {
        var name = _normalizer.Normalize("María José", "García López");

        Assert.Equal(["maria", "jose"], name.Given.Tokens.Select(token => token.Text));
        Assert.Equal(["garcia", "lopez"], name.Surname.Tokens.Select(token => token.Text));
        Assert.Equal("garcialopez", name.Surname.Joined);
    }

    [Fact]
    public void Normalize_HyphenatedUpperCaseSurname_SameTokensAsSpaced()
    {
        var name = _normalizer.Normalize("MARIA", "GARCIA-LOPEZ");

        Assert.Equal(["garcia", "lopez"], name.Surname.Tokens.Select(token => token.Text));
    }

    [Fact]
    public void Normalize_SurnameCommaGivenInOneField_SplitsAtComma()
    {
        var name = _normalizer.Normalize(null, "GARCIA-LOPEZ, MARIA");

        Assert.Equal(["maria"], name.Given.Tokens.Select(token => token.Text));
        Assert.Equal(["garcia", "lopez"], name.Surname.Tokens.Select(token => token.Text));
    }

    [Fact]
    public void NormalizeFullName_GivenThenSurname_FirstWordIsGiven()
    {
        var name = _normalizer.NormalizeFullName("Pepe García");

        Assert.Equal("pepe", name.Given.ToString());
        Assert.Equal("garcia", name.Surname.ToString());
    }

    [Theory]
    [InlineData("de la Cruz", "cruz", "delacruz")]
    [InlineData("Van der Berg", "berg", "vanderberg")]
    [InlineData("dos Santos", "santos", "dossantos")]
    [InlineData("bin Laden", "laden", "binladen")]
    [InlineData("Ortega y Gasset", "ortega gasset", "ortegaygasset")]
    [InlineData("Del Río", "rio", "delrio")]
    public void Part_SurnameWithParticles_ParticlesDroppedFromTokensKeptInJoined(string surname, string tokens, string joined)
    {
        var part = _normalizer.Part(surname, isSurname: true);

        Assert.Equal(tokens, part.ToString());
        Assert.Equal(joined, part.Joined);
    }

    [Fact]
    public void Part_SurnameThatIsOnlyAParticle_KeepsIt() =>
        Assert.Equal("le", _normalizer.Part("Le", isSurname: true).ToString());

    [Fact]
    public void Part_GivenNameAl_IsNotTreatedAsParticle() =>
        Assert.Equal("al", _normalizer.Part("Al", isSurname: false).ToString());

    [Fact]
    public void Part_TitlesAndSuffixes_Dropped() =>
        Assert.Equal("juan", _normalizer.Part("Dr. Juan Jr.", isSurname: false).ToString());

    [Fact]
    public void Part_SingleLetter_MarkedAsInitial()
    {
        var part = _normalizer.Part("Maria J.", isSurname: false);

        Assert.False(part.Tokens[0].IsInitial);
        Assert.True(part.Tokens[1].IsInitial);
    }
}

public sealed class NicknameTableTests
{
    [Theory]
    [InlineData("William", "Bill")]
    [InlineData("william", "billy")]
    [InlineData("Robert", "Bob")]
    [InlineData("Elizabeth", "Liz")]
    [InlineData("José", "Pepe")]
    [InlineData("Francisco", "Paco")]
    [InlineData("Francisco", "Pancho")]
    [InlineData("Guadalupe", "Lupe")]
    [InlineData("Jesús", "Chuy")]
    [InlineData("Ignacio", "Nacho")]
    [InlineData("Enrique", "Quique")]
    [InlineData("Alejandro", "Alejo")]
    [InlineData("Concepción", "Conchita")]
    [InlineData("Dolores", "Lola")]
    [InlineData("Rosario", "Charo")]
    [InlineData("Manuel", "Manolo")]
    [InlineData("María José", "Majo")]
    [InlineData("Guillermo", "William")]
    public void AreEquivalent_KnownNicknamePair_True(string formal, string nickname) =>
        Assert.True(NicknameTable.Default.AreEquivalent(formal, nickname));

    [Theory]
    [InlineData("William", "Robert")]
    [InlineData("Alexander", "Alexandra")]
    [InlineData("Maria", "Mario")]
    [InlineData("Zzyzx", "Bill")]
    public void AreEquivalent_UnrelatedNames_False(string a, string b) =>
        Assert.False(NicknameTable.Default.AreEquivalent(a, b));

    [Fact]
    public void Default_EmbeddedTable_HasSeveralHundredGroups() =>
        Assert.True(NicknameTable.Default.GroupCount >= 300, $"only {NicknameTable.Default.GroupCount} groups");

    [Fact]
    public void Parse_CommentsAndBlankLines_Ignored()
    {
        var table = NicknameTable.Parse(new StringReader("# comment\n\nfoo,bar\n"));

        Assert.Equal(1, table.GroupCount);
        Assert.True(table.AreEquivalent("FOO", "bar"));
    }
}

public sealed class DoubleMetaphoneTests
{
    public static TheoryData<string, string, string> ReferenceCodes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "double-metaphone.tsv")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split('\t');
            data.Add(cells[0], cells[1], cells[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCodes))]
    public void Encode_ReferenceWord_MatchesReferenceCodes(string word, string primary, string alternate) =>
        Assert.Equal(new PhoneticCode(primary, alternate), DoubleMetaphone.Encode(word));

    // Rules where published ports disagree; these follow Philips' original: "-cia" is S with alternate X,
    // "Mc" + double C reads one K (McCarthy), and "ch" after a vowel-less prefix is X/K.
    [Theory]
    [InlineData("Garcia", "KRS", "KRX")]
    [InlineData("McCarthy", "MKR0", "MKRT")]
    [InlineData("Psychology", "SXLJ", "SKLK")]
    public void Encode_RulesWherePortsDiffer_FollowsOriginalAlgorithm(string word, string primary, string alternate) =>
        Assert.Equal(new PhoneticCode(primary, alternate), DoubleMetaphone.Encode(word));

    [Theory]
    [InlineData("José", "Jose")]
    [InlineData("Muñoz", "Munoz")]
    [InlineData("Gonzalez", "Gonzales")]
    [InlineData("Jiménez", "Gimenez")]
    [InlineData("Vásquez", "Vazquez")]
    [InlineData("Yolanda", "Iolanda")]
    [InlineData("Quiñones", "Quinones")]
    [InlineData("Chávez", "Chaves")]
    [InlineData("Villanueva", "Vilanueva")]
    public void Encode_HispanicSpellingVariants_CodesAgree(string a, string b) =>
        Assert.True(DoubleMetaphone.Encode(a).Agrees(DoubleMetaphone.Encode(b)), $"{DoubleMetaphone.Encode(a)} vs {DoubleMetaphone.Encode(b)}");

    [Fact]
    public void Encode_SpanishJose_ReadsJAsH() => Assert.Equal("HS", DoubleMetaphone.Encode("José").Primary);

    [Theory]
    [InlineData("Garcia", "Martinez")]
    [InlineData("Hernandez", "Fernandez")]
    public void Encode_DifferentSurnames_CodesDisagree(string a, string b) =>
        Assert.False(DoubleMetaphone.Encode(a).Agrees(DoubleMetaphone.Encode(b)));

    [Fact]
    public void Agrees_DefaultCode_False() => Assert.False(default(PhoneticCode).Agrees(DoubleMetaphone.Encode("Smith")));

    [Fact]
    public void Encode_Empty_EmptyCodeThatAgreesWithNothing()
    {
        var code = DoubleMetaphone.Encode("  ");

        Assert.Equal(string.Empty, code.Primary);
        Assert.False(code.Agrees(code));
    }
}

public sealed class StringSimilarityTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("JELLYFISH", "SMELLYFISH", 0.896)]
    public void JaroWinkler_PublishedExamples_MatchPublishedValues(string a, string b, double expected) =>
        Assert.Equal(expected, StringSimilarity.JaroWinkler(a, b), 3);

    [Fact]
    public void JaroWinkler_IdenticalAndDisjoint_OneAndZero()
    {
        Assert.Equal(1.0, StringSimilarity.JaroWinkler("garcia", "garcia"));
        Assert.Equal(0.0, StringSimilarity.JaroWinkler("abc", "xyz"));
        Assert.Equal(0.0, StringSimilarity.JaroWinkler("abc", string.Empty));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("4137877", "4137787", 1)]
    [InlineData("19880314", "19880341", 1)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("ca", "abc", 3)]
    public void DamerauLevenshtein_Pairs_OptimalStringAlignmentDistance(string a, string b, int expected) =>
        Assert.Equal(expected, StringSimilarity.DamerauLevenshtein(a, b));
}
