namespace SharingHub.Matching.Scoring;

/// <summary>The person fields that are compared, each yielding one <see cref="AgreementLevel"/>.</summary>
public enum MatchField
{
    GivenName,
    Surname,
    BirthDate,
    Sex,
    Identifier,
    Phone,
    Address,
}

/// <summary>
/// How two values of a field agree, strongest first. Each field uses a subset (see <see cref="Levels"/>); every
/// level but <see cref="Missing"/> has a weight in the parameter file. Missing weighs nothing.
/// </summary>
public enum AgreementLevel
{
    /// <summary>Same value after normalization.</summary>
    Exact,

    /// <summary>Names: one name's parts are a subset of the other's or share a part (García vs García López). Dates: one is partial and agrees. Addresses: similar but not the same. Phones: the same national number under different country codes.</summary>
    Partial,

    /// <summary>Names known as nicknames or diminutives of each other (Bill ~ William, Pepe ~ José).</summary>
    Nickname,

    /// <summary>Typo-close: Jaro–Winkler ≥ threshold for names, one keystroke for dates and identifiers, high token similarity for addresses.</summary>
    Close,

    /// <summary>Names that sound alike (Double Metaphone codes agree).</summary>
    Phonetic,

    /// <summary>One side is only an initial, matching the other's first letter.</summary>
    Initial,

    /// <summary>Birth dates with day and month swapped.</summary>
    Transposed,

    /// <summary>Birth dates with month and day equal and years one apart.</summary>
    YearOff,

    /// <summary>Both known, and they contradict each other.</summary>
    Disagree,

    /// <summary>At least one side unknown: no evidence either way.</summary>
    Missing,
}

/// <summary>Which levels each field can take.</summary>
public static class Levels
{
    private static readonly AgreementLevel[] NameLevels =
        [AgreementLevel.Exact, AgreementLevel.Partial, AgreementLevel.Nickname, AgreementLevel.Close, AgreementLevel.Phonetic, AgreementLevel.Initial, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] DateLevels =
        [AgreementLevel.Exact, AgreementLevel.Transposed, AgreementLevel.YearOff, AgreementLevel.Close, AgreementLevel.Partial, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] BinaryLevels = [AgreementLevel.Exact, AgreementLevel.Disagree];

    // Partial: the same national number under two country codes (+1 899… and +52 899…), ADR-004.
    private static readonly AgreementLevel[] PhoneLevels = [AgreementLevel.Exact, AgreementLevel.Partial, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] IdentifierLevels = [AgreementLevel.Exact, AgreementLevel.Close, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] AddressLevels = [AgreementLevel.Exact, AgreementLevel.Close, AgreementLevel.Partial, AgreementLevel.Disagree];

    /// <summary>All fields, in explanation order.</summary>
    public static IReadOnlyList<MatchField> Fields { get; } = Enum.GetValues<MatchField>();

    /// <summary>The weighted levels of <paramref name="field"/> (Missing is implied and weighs 0).</summary>
    public static IReadOnlyList<AgreementLevel> Of(MatchField field) => field switch
    {
        MatchField.GivenName or MatchField.Surname => NameLevels,
        MatchField.BirthDate => DateLevels,
        MatchField.Sex => BinaryLevels,
        MatchField.Phone => PhoneLevels,
        MatchField.Identifier => IdentifierLevels,
        MatchField.Address => AddressLevels,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown field."),
    };
}

/// <summary>The levels of one compared pair, plus facts the explanation mentions.</summary>
public sealed class ComparisonVector
{
    private readonly AgreementLevel[] _levels;

    internal ComparisonVector(AgreementLevel[] levels, bool namesSwapped, bool viaAlias, string[]? givenAgreed = null, string[]? surnameAgreed = null, bool birthYearsNear = false)
    {
        _levels = levels;
        BirthYearsNear = birthYearsNear;
        NamesSwapped = namesSwapped;
        ViaAlias = viaAlias;
        GivenAgreed = givenAgreed ?? [];
        SurnameAgreed = surnameAgreed ?? [];
    }

    /// <summary>
    /// The given-name words that agreed (at the Exact or Partial level; at the Close or Nickname level the commoner
    /// spelling of each pair), for the term-frequency adjustment.
    /// Not part of the stored text form: a re-scored stored vector carries no adjustment.
    /// </summary>
    public IReadOnlyList<string> GivenAgreed { get; }

    /// <summary>The surname words that agreed, as <see cref="GivenAgreed"/>.</summary>
    public IReadOnlyList<string> SurnameAgreed { get; }

    /// <summary>
    /// Both birth dates are known and their years are at most one apart, so a disagreeing date is a slip or two
    /// (a year off and a mistyped day), never a father and his namesake son (the household rule). Not part of the
    /// stored text form.
    /// </summary>
    public bool BirthYearsNear { get; }

    public AgreementLevel this[MatchField field] => _levels[(int)field];

    /// <summary>The best agreement came from reading one record's given name as the other's surname and vice versa.</summary>
    public bool NamesSwapped { get; }

    /// <summary>The best name agreement used an alias.</summary>
    public bool ViaAlias { get; }

    internal ReadOnlySpan<AgreementLevel> Levels => _levels;

    private const string Codes = "epncfitydm";

    /// <summary>
    /// A compact, stable text form for storage: one letter per field in <see cref="Scoring.Levels.Fields"/> order
    /// (e exact, p partial, n nickname, c close, f phonetic, i initial, t transposed, y year off by one, d disagree, m missing), then
    /// <c>/s</c> when names were swapped and <c>/a</c> when an alias was used, e.g. <c>eecmmmp/s</c>. A stored
    /// vector can be re-scored under new parameters without the records.
    /// </summary>
    public override string ToString()
    {
        var text = string.Concat(_levels.Select(level => Codes[(int)level]));
        return text + (NamesSwapped ? "/s" : string.Empty) + (ViaAlias ? "/a" : string.Empty);
    }

    /// <summary>Reads the form written by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The text is not a vector of this model's fields.</exception>
    public static ComparisonVector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        var fieldCount = Scoring.Levels.Fields.Count;
        if (parts[0].Length != fieldCount || parts.Skip(1).Any(flag => flag is not ("s" or "a")))
        {
            throw new FormatException($"'{text}' is not a comparison vector: expected {fieldCount} level letters of '{Codes}' and optional /s, /a.");
        }

        var levels = new AgreementLevel[fieldCount];
        for (var i = 0; i < fieldCount; i++)
        {
            var index = Codes.IndexOf(parts[0][i], StringComparison.Ordinal);
            if (index < 0 || (index != (int)AgreementLevel.Missing && !Scoring.Levels.Of((MatchField)i).Contains((AgreementLevel)index)))
            {
                throw new FormatException($"'{text}': '{parts[0][i]}' is not a level of {(MatchField)i}.");
            }

            levels[i] = (AgreementLevel)index;
        }

        return new ComparisonVector(levels, parts.Contains("s"), parts.Contains("a"));
    }

    /// <summary>Builds a vector directly (tests and the EM tool).</summary>
    public static ComparisonVector Create(IReadOnlyDictionary<MatchField, AgreementLevel> levels, bool namesSwapped = false, bool viaAlias = false)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var array = new AgreementLevel[Scoring.Levels.Fields.Count];
        Array.Fill(array, AgreementLevel.Missing);
        foreach (var (field, level) in levels)
        {
            array[(int)field] = level;
        }

        return new ComparisonVector(array, namesSwapped, viaAlias);
    }
}
