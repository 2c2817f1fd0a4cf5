using System.Collections.Frozen;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Normalization;

/// <summary>One folded word of a name, with what the comparators need precomputed.</summary>
public sealed class NameToken
{
    internal NameToken(string text, NicknameTable nicknames)
    {
        Text = text;
        IsInitial = text.Length == 1;
        Phonetic = IsInitial ? new PhoneticCode(string.Empty, string.Empty) : DoubleMetaphone.Encode(text);
        NicknameGroups = IsInitial ? [] : nicknames.GroupsOf(text).ToArray();
        GivenHash = NameFrequencies.Hash(NameComponentKind.Given, text);
        SurnameHash = NameFrequencies.Hash(NameComponentKind.Surname, text);
        CharacterMask = StringSimilarity.CharacterMask(text);
    }

    // A token read back from stored features (RecordFeatures): everything as it was computed when the record was written.
    internal NameToken(string text, PhoneticCode phonetic, int[] nicknameGroups, long givenHash, long surnameHash)
    {
        Text = text;
        IsInitial = text.Length == 1;
        Phonetic = phonetic;
        NicknameGroups = nicknameGroups;
        GivenHash = givenHash;
        SurnameHash = surnameHash;
        CharacterMask = StringSimilarity.CharacterMask(text);
    }

    /// <summary>Folded text: lower-case ASCII letters (<c>jose</c>).</summary>
    public string Text { get; }

    /// <summary>A single letter, as in "Maria J. Lopez".</summary>
    public bool IsInitial { get; }

    public PhoneticCode Phonetic { get; }

    internal int[] NicknameGroups { get; }

    /// <summary>The word's name-frequency key as a given-name word (<see cref="NameFrequencies.Hash(NameComponentKind, string)"/>).</summary>
    internal long GivenHash { get; }

    /// <summary>The word's name-frequency key as a surname word.</summary>
    internal long SurnameHash { get; }

    /// <summary>The text's <see cref="StringSimilarity.CharacterMask"/>, computed once per word rather than once per compared pair.</summary>
    internal ulong CharacterMask { get; }

    internal long HashOf(NameComponentKind kind) => kind == NameComponentKind.Given ? GivenHash : SurnameHash;

    public override string ToString() => Text;
}

/// <summary>
/// The given-name or the surname part of a name: its meaningful tokens (particles such as <c>de la</c> removed
/// from surnames, hyphenated and double surnames split) and its letters joined without spaces, so that
/// "De la Cruz", "DELACRUZ" and "de-la-Cruz" can meet.
/// </summary>
public sealed class NamePart
{
    internal static readonly NamePart Empty = new([], string.Empty, default, []);

    internal NamePart(NameToken[] tokens, string joined, PhoneticCode joinedPhonetic, int[] joinedNicknameGroups)
    {
        Tokens = tokens;
        TokenArray = tokens;
        Joined = joined;
        JoinedPhonetic = joinedPhonetic;
        JoinedNicknameGroups = joinedNicknameGroups;
        JoinedCharacterMask = StringSimilarity.CharacterMask(joined);
    }

    public IReadOnlyList<NameToken> Tokens { get; }

    // The same tokens as an array: the comparators loop over it without allocating enumerators.
    internal NameToken[] TokenArray { get; }

    /// <summary>All letters of the part, particles included, without spaces (<c>delacruz</c>, <c>mariajose</c>).</summary>
    public string Joined { get; }

    internal PhoneticCode JoinedPhonetic { get; }

    /// <summary><see cref="StringSimilarity.CharacterMask"/> of <see cref="Joined"/>.</summary>
    internal ulong JoinedCharacterMask { get; }

    /// <summary>Nickname groups of the whole compound (<c>mariajose</c> ~ <c>majo</c>).</summary>
    internal int[] JoinedNicknameGroups { get; }

    public bool IsEmpty => Tokens.Count == 0;

    /// <summary>The first non-initial token, if any (<c>maria</c> for "María José").</summary>
    public NameToken? FirstFullToken
    {
        get
        {
            foreach (var token in TokenArray)
            {
                if (!token.IsInitial)
                {
                    return token;
                }
            }

            return null;
        }
    }

    public override string ToString() => string.Join(' ', Tokens);
}

/// <summary>A normalized person name: given part and surname part; aliases are names of their own.</summary>
public sealed record PersonName(NamePart Given, NamePart Surname, bool IsAlias)
{
    public bool IsEmpty => Given.IsEmpty && Surname.IsEmpty;
}

/// <summary>
/// Turns raw name fields into <see cref="PersonName"/>s: folding, "Surname, Given" parsing, particles
/// (de, del, de la, van, von, da, dos, bin, al, y…), titles and suffixes (Mr, Dr, Jr, III), hyphenated and double
/// surnames.
/// </summary>
public sealed class NameNormalizer
{
    private static readonly FrozenSet<string> Particles = FrozenSet.Create(StringComparer.Ordinal,
        "de", "del", "la", "las", "los", "le", "les", "lo", "da", "das", "do", "dos", "di", "du", "van", "von", "der", "den", "ter",
        "ten", "vander", "bin", "binti", "bint", "ibn", "ben", "al", "el", "y", "e", "i");

    // The particles of compound given names ("María del Carmen", "María de los Ángeles", "José y Luis" never): dropped
    // from the tokens, so "María del Carmen" and "María Carmen" have the same words; kept in the joined form.
    private static readonly FrozenSet<string> GivenParticles = FrozenSet.Create(StringComparer.Ordinal, "de", "del", "la", "las", "los");

    private static readonly FrozenSet<string> Titles = FrozenSet.Create(StringComparer.Ordinal,
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sr", "sra", "srta", "jr", "snr", "jnr", "ii", "iii", "iv", "don", "dona");

    private readonly NicknameTable _nicknames;

    public NameNormalizer(NicknameTable nicknames)
    {
        ArgumentNullException.ThrowIfNull(nicknames);
        _nicknames = nicknames;
    }

    /// <summary>
    /// Normalizes a given name and a surname. When one field is empty and the other holds "Surname, Given"
    /// (as in "GARCIA-LOPEZ, MARIA"), it is split at the comma.
    /// </summary>
    public PersonName Normalize(string? givenName, string? surname, bool isAlias = false)
    {
        if (string.IsNullOrWhiteSpace(givenName) && TrySplitComma(surname, out var s1, out var g1))
        {
            (givenName, surname) = (g1, s1);
        }
        else if (string.IsNullOrWhiteSpace(surname) && TrySplitComma(givenName, out var s2, out var g2))
        {
            (givenName, surname) = (g2, s2);
        }

        return new PersonName(Part(givenName, isSurname: false), Part(surname, isSurname: true), isAlias);
    }

    /// <summary>
    /// Normalizes a name written in one field: "Surname, Given" when it has a comma, otherwise "Given Surname…"
    /// (first word given, the rest surname). A single word is taken as a given name or moniker ("Majo").
    /// </summary>
    public PersonName NormalizeFullName(string? fullName, bool isAlias = false)
    {
        if (TrySplitComma(fullName, out var surname, out var given))
        {
            return Normalize(given, surname, isAlias);
        }

        var words = (fullName ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length switch
        {
            0 => new PersonName(NamePart.Empty, NamePart.Empty, isAlias),
            1 => Normalize(words[0], null, isAlias),
            _ => Normalize(words[0], string.Join(' ', words[1..]), isAlias),
        };
    }

    /// <summary>Normalizes one name part; particles are dropped from surnames unless nothing else is left.</summary>
    public NamePart Part(string? raw, bool isSurname)
    {
        var words = TextFolding.Tokens(raw);
        if (words.Length == 0)
        {
            return NamePart.Empty;
        }

        var kept = new List<string>(words.Length);
        foreach (var word in words)
        {
            if (Titles.Contains(word) && words.Length > 1)
            {
                continue;
            }

            if (isSurname ? Particles.Contains(word) : GivenParticles.Contains(word))
            {
                continue;
            }

            kept.Add(word);
        }

        if (kept.Count == 0)
        {
            kept.AddRange(words);
        }

        var joined = string.Concat(words.Where(word => !Titles.Contains(word) || words.Length == 1));
        var tokens = kept.Select(word => new NameToken(word, _nicknames)).ToArray();
        var joinedGroups = kept.Count > 1 ? _nicknames.GroupsOf(joined).ToArray() : tokens[0].NicknameGroups;
        var joinedPhonetic = kept.Count > 1 ? DoubleMetaphone.Encode(joined) : tokens[0].Phonetic;
        return new NamePart(tokens, joined, joinedPhonetic, joinedGroups);
    }

    private static bool TrySplitComma(string? text, out string surname, out string given)
    {
        surname = given = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var comma = text.IndexOf(',', StringComparison.Ordinal);
        if (comma <= 0 || comma == text.Length - 1)
        {
            return false;
        }

        surname = text[..comma];
        given = text[(comma + 1)..];
        return !string.IsNullOrWhiteSpace(surname) && !string.IsNullOrWhiteSpace(given);
    }
}
