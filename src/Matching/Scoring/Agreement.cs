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

    /// <summary>Names: one name's parts are a subset of the other's or share a part (García vs García López). Dates: one is partial and agrees. Addresses: similar but not the same.</summary>
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
        [AgreementLevel.Exact, AgreementLevel.Transposed, AgreementLevel.Close, AgreementLevel.Partial, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] BinaryLevels = [AgreementLevel.Exact, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] IdentifierLevels = [AgreementLevel.Exact, AgreementLevel.Close, AgreementLevel.Disagree];

    private static readonly AgreementLevel[] AddressLevels = [AgreementLevel.Exact, AgreementLevel.Close, AgreementLevel.Partial, AgreementLevel.Disagree];

    /// <summary>All fields, in explanation order.</summary>
    public static IReadOnlyList<MatchField> Fields { get; } = Enum.GetValues<MatchField>();

    /// <summary>The weighted levels of <paramref name="field"/> (Missing is implied and weighs 0).</summary>
    public static IReadOnlyList<AgreementLevel> Of(MatchField field) => field switch
    {
        MatchField.GivenName or MatchField.Surname => NameLevels,
        MatchField.BirthDate => DateLevels,
        MatchField.Sex or MatchField.Phone => BinaryLevels,
        MatchField.Identifier => IdentifierLevels,
        MatchField.Address => AddressLevels,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown field."),
    };
}

/// <summary>The levels of one compared pair, plus facts the explanation mentions.</summary>
public sealed class ComparisonVector
{
    private readonly AgreementLevel[] _levels;

    internal ComparisonVector(AgreementLevel[] levels, bool namesSwapped, bool viaAlias)
    {
        _levels = levels;
        NamesSwapped = namesSwapped;
        ViaAlias = viaAlias;
    }

    public AgreementLevel this[MatchField field] => _levels[(int)field];

    /// <summary>The best agreement came from reading one record's given name as the other's surname and vice versa.</summary>
    public bool NamesSwapped { get; }

    /// <summary>The best name agreement used an alias.</summary>
    public bool ViaAlias { get; }

    internal ReadOnlySpan<AgreementLevel> Levels => _levels;

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
