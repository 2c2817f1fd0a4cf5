using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Scoring;

/// <summary>Thresholds of the field comparators; part of the versioned parameter file.</summary>
public sealed record ComparatorSettings
{
    /// <summary>Jaro–Winkler similarity from which two names are "close".</summary>
    public double NameJaroWinkler { get; init; } = 0.92;

    /// <summary>Shortest name for which one edit (Damerau–Levenshtein 1) also counts as close.</summary>
    public int NameEditMinLength { get; init; } = 4;

    /// <summary>Token similarity (fuzzy Dice) from which two addresses are "close".</summary>
    public double AddressClose { get; init; } = 0.8;

    /// <summary>Token similarity from which two addresses agree partially.</summary>
    public double AddressPartial { get; init; } = 0.5;

    /// <summary>Shortest identifier for which one edit counts as close.</summary>
    public int IdentifierEditMinLength { get; init; } = 6;
}

/// <summary>Compares two subjects' evidence field by field into a <see cref="ComparisonVector"/>.</summary>
public sealed class PersonComparer
{
    // Addresses whose informative tokens number at most this many together have their level thresholds tabulated.
    private const int TabulatedAddressTokens = 64;

    private readonly ComparatorSettings _settings;

    // Per token total of two addresses, the fewest matched tokens for partial and for close agreement.
    private readonly (int Partial, int Close)[] _addressMatchesNeeded;

    public PersonComparer(ComparatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _addressMatchesNeeded = [.. Enumerable.Range(0, TabulatedAddressTokens + 1).Select(AddressMatchesNeeded)];
    }

    public ComparisonVector Compare(PersonEvidence a, PersonEvidence b) => Compare(a, b, null);

    /// <summary>
    /// Compares two subjects. With <paramref name="frequencies"/> (the hub's name counts), a run-together surname is
    /// also read as its components when both are surname words seen in stored records ("TorrezMorales" = "Torrez" +
    /// "Morales"), and a typo or a nickname names its commoner spelling for the term-frequency adjustment.
    /// </summary>
    public ComparisonVector Compare(PersonEvidence a, PersonEvidence b, NameFrequencies? frequencies)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var levels = new AgreementLevel[Levels.Fields.Count];
        var scratch = Scratch.Current;
        var (swapped, viaAlias) = CompareInto(a, b, frequencies, levels, scratch);
        return new ComparisonVector(levels, swapped, viaAlias, Texts(scratch.BestGiven), Texts(scratch.BestSurname), PartialDate.YearsNear(a.BirthDate, b.BirthDate));
    }

    /// <summary>
    /// The comparison itself, without allocating: the levels go to <paramref name="levels"/> (one per
    /// <see cref="MatchField"/>), the agreeing name words to <paramref name="scratch"/>'s best lists. Both
    /// <see cref="Compare(PersonEvidence, PersonEvidence, NameFrequencies?)"/> and <see cref="PersonScorer.QuickScore"/> run it.
    /// </summary>
    internal (bool Swapped, bool ViaAlias) CompareInto(PersonEvidence a, PersonEvidence b, NameFrequencies? frequencies, Span<AgreementLevel> levels, Scratch scratch)
    {
        var (given, surname, swapped, viaAlias) = CompareNames(a.Names, b.Names, frequencies, scratch);
        levels[(int)MatchField.GivenName] = given;
        levels[(int)MatchField.Surname] = surname;
        levels[(int)MatchField.BirthDate] = PartialDate.Compare(a.BirthDate, b.BirthDate) switch
        {
            DateAgreement.Exact => AgreementLevel.Exact,
            DateAgreement.Transposed => AgreementLevel.Transposed,
            DateAgreement.YearOff => AgreementLevel.YearOff,
            DateAgreement.Close => AgreementLevel.Close,
            DateAgreement.Partial => AgreementLevel.Partial,
            DateAgreement.Disagree => AgreementLevel.Disagree,
            DateAgreement.Missing => AgreementLevel.Missing,
            _ => AgreementLevel.Missing,
        };
        levels[(int)MatchField.Sex] = a.Sex == Sex.Unknown || b.Sex == Sex.Unknown ? AgreementLevel.Missing
            : a.Sex == b.Sex ? AgreementLevel.Exact : AgreementLevel.Disagree;
        levels[(int)MatchField.Identifier] = CompareIdentifiers(a.Identifiers, b.Identifiers);
        levels[(int)MatchField.Phone] = ComparePhones(a.Phones, b.Phones);
        levels[(int)MatchField.Address] = CompareAddresses(a.Addresses, b.Addresses);
        return (swapped, viaAlias);
    }

    private static string[] Texts(List<NameToken> tokens)
    {
        var texts = new string[tokens.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = tokens[i].Text;
        }

        return texts;
    }

    /// <summary>
    /// Reusable lists for one thread's comparisons (the agreeing words, as tokens), so comparing allocates nothing
    /// once a thread has compared a pair.
    /// </summary>
    internal sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? t_current;

        public static Scratch Current => t_current ??= new Scratch();

        public List<NameToken> Given { get; private set; } = new(8);

        public List<NameToken> Surname { get; private set; } = new(8);

        public List<NameToken> BestGiven { get; private set; } = new(8);

        public List<NameToken> BestSurname { get; private set; } = new(8);

        /// <summary>Keeps the words just compared as the best so far: the lists trade places rather than copy.</summary>
        public void KeepCurrent()
        {
            (Given, BestGiven) = (BestGiven, Given);
            (Surname, BestSurname) = (BestSurname, Surname);
        }
    }

    /// <summary>Compares two name parts (given with given, or surname with surname).</summary>
    public AgreementLevel CompareParts(NamePart a, NamePart b) => CompareParts(a, b, isSurname: false, agreed: null, frequencies: null);

    /// <summary>
    /// Compares two name parts. As surnames (<paramref name="isSurname"/>), a paternal surname alone agrees exactly
    /// with paternal + maternal ("Treviño" vs "Treviño Garza", "Treviño G." vs "Treviño Garza"): Hispanic records
    /// often leave the maternal surname out, so its absence is not a difference. <paramref name="agreed"/> receives
    /// the full words that agree (exactly, or the commoner spelling of a typo or nickname pair), for the
    /// term-frequency adjustment.
    /// </summary>
    internal AgreementLevel CompareParts(NamePart a, NamePart b, bool isSurname, List<NameToken>? agreed, NameFrequencies? frequencies)
    {
        agreed?.Clear();
        if (a.IsEmpty || b.IsEmpty)
        {
            return AgreementLevel.Missing;
        }

        if (a.Joined == b.Joined || SameTokenSet(a, b))
        {
            // The side with more words names them ("trevinogarza" = "treviño garza").
            AddFull(agreed, a.TokenArray.Length >= b.TokenArray.Length ? a.TokenArray : b.TokenArray);
            return AgreementLevel.Exact;
        }

        if (isSurname && frequencies is not null && (RunTogether(a, b, agreed, frequencies) ?? RunTogether(b, a, agreed, frequencies)) is { } split)
        {
            return split;
        }

        var (shorter, longer) = a.TokenArray.Length <= b.TokenArray.Length ? (a.TokenArray, b.TokenArray) : (b.TokenArray, a.TokenArray);
        var allMatched = true;
        var anyFull = false;
        var weakest = AgreementLevel.Exact;
        var best = AgreementLevel.Disagree;
        foreach (var token in shorter)
        {
            var level = AgreementLevel.Disagree;
            NameToken? match = null;
            foreach (var other in longer)
            {
                var candidate = CompareTokens(token, other);
                if (candidate < level)
                {
                    level = candidate;
                    match = other;
                    if (level == AgreementLevel.Exact)
                    {
                        // Nothing beats exact: the first exact counterpart is the one the full loop would keep.
                        break;
                    }
                }
            }

            if (level == AgreementLevel.Disagree)
            {
                allMatched = false;
                continue;
            }

            if (token.IsInitial || level == AgreementLevel.Initial)
            {
                // Initials only need to be consistent; they neither prove nor weaken a full-name agreement.
                continue;
            }

            anyFull = true;
            weakest = level > weakest ? level : weakest;
            best = level < best ? level : best;
            // A typo or a nickname is as common as the name it stands for: the commoner spelling counts ("gacia" is
            // "garcia", "pepe" is "jose").
            var word = level == AgreementLevel.Exact ? token
                : level is AgreementLevel.Close or AgreementLevel.Nickname && match is not null ? Commoner(token, match, isSurname, frequencies)
                : null;
            if (word is not null && agreed is not null && !ContainsText(agreed, word.Text))
            {
                agreed.Add(word);
            }
        }

        AgreementLevel result;
        if (allMatched)
        {
            result = !anyFull ? AgreementLevel.Initial
                : weakest != AgreementLevel.Exact ? weakest
                : isSurname && IsPaternalOnly(shorter, longer) ? AgreementLevel.Exact
                : AgreementLevel.Partial;
        }
        else
        {
            // Some part has no counterpart: "María Teresa" vs "María Laura" are different names, as are
            // "Vásquez García" vs "Silva García"; only a consistent subset counts as partial agreement.
            result = AgreementLevel.Disagree;
        }

        if (result is not (AgreementLevel.Exact or AgreementLevel.Partial or AgreementLevel.Close or AgreementLevel.Nickname))
        {
            agreed?.Clear();
        }

        // Whole-part views catch split or merged words (ja ck, mariajose ~ majo).
        if (result > AgreementLevel.Nickname && NicknameTable.SharesGroup(a.JoinedNicknameGroups, b.JoinedNicknameGroups))
        {
            result = AgreementLevel.Nickname;
        }

        // Only when the word counts differ: "Maria Laura" vs "Maria Pilar" share a long prefix, not a split word.
        if (result > AgreementLevel.Close && a.Tokens.Count != b.Tokens.Count && IsClose(a.Joined, a.JoinedCharacterMask, b.Joined, b.JoinedCharacterMask))
        {
            result = AgreementLevel.Close;
        }

        if (result > AgreementLevel.Phonetic && a.Tokens.Count != b.Tokens.Count && a.JoinedPhonetic.Agrees(b.JoinedPhonetic))
        {
            result = AgreementLevel.Phonetic;
        }

        return result;
    }

    /// <summary>
    /// A surname written run together ("TorrezMorales", "PerezPerez") against its paternal surname alone ("Torrez"),
    /// possibly with the maternal initial ("Herrera L."): exact, as the paternal surname alone is. Against its maternal
    /// surname alone ("Morales"): partial. Only when the rest of the joined word is itself a surname seen in stored
    /// records, so "Villarreal" never splits into "Villa" + "rreal".
    /// </summary>
    private static AgreementLevel? RunTogether(NamePart run, NamePart other, List<NameToken>? agreed, NameFrequencies frequencies)
    {
        if (run.TokenArray.Length != 1 || other.FirstFullToken is not { } first)
        {
            return null;
        }

        var word = run.TokenArray[0].Text;
        var full = 0;
        foreach (var token in other.TokenArray)
        {
            full += token.IsInitial ? 0 : 1;
        }

        if (full != 1 || word.Length < first.Text.Length + 3)
        {
            return null;
        }

        AgreementLevel level;
        ReadOnlySpan<char> rest;
        if (word.StartsWith(first.Text, StringComparison.Ordinal) && other.TokenArray[0] == first)
        {
            rest = word.AsSpan(first.Text.Length);
            // Initials after the paternal surname must be consistent with what follows it.
            var initials = 0;
            var initial = '\0';
            for (var i = 1; i < other.TokenArray.Length; i++)
            {
                if (other.TokenArray[i].IsInitial)
                {
                    initial = initials++ == 0 ? other.TokenArray[i].Text[0] : initial;
                }
            }

            if (initials > 1 || (initials == 1 && initial != rest[0]))
            {
                return null;
            }

            level = AgreementLevel.Exact;
        }
        else if (word.EndsWith(first.Text, StringComparison.Ordinal) && other.TokenArray.Length == 1)
        {
            rest = word.AsSpan(0, word.Length - first.Text.Length);
            level = AgreementLevel.Partial;
        }
        else
        {
            return null;
        }

        if (frequencies.CountOf(NameFrequencies.Hash(NameComponentKind.Surname, rest)) == 0)
        {
            return null;
        }

        if (agreed is not null)
        {
            agreed.Clear();
            agreed.Add(first);
        }

        return level;
    }

    private static NameToken Commoner(NameToken a, NameToken b, bool isSurname, NameFrequencies? frequencies)
    {
        if (frequencies is null)
        {
            return string.CompareOrdinal(a.Text, b.Text) <= 0 ? a : b;
        }

        var kind = isSurname ? NameComponentKind.Surname : NameComponentKind.Given;
        var (countA, countB) = (frequencies.CountOf(a.HashOf(kind)), frequencies.CountOf(b.HashOf(kind)));
        return countA != countB ? (countA > countB ? a : b) : string.CompareOrdinal(a.Text, b.Text) <= 0 ? a : b;
    }

    private static bool ContainsText(List<NameToken> tokens, string text)
    {
        foreach (var token in tokens)
        {
            if (token.Text == text)
            {
                return true;
            }
        }

        return false;
    }

    // The shorter surname is the longer one's first (paternal) word, alone or with initials of the rest: "Treviño",
    // "Treviño G." against "Treviño Garza". The maternal surname alone ("Garza") stays partial: it is the weaker habit.
    private static bool IsPaternalOnly(NameToken[] shorter, NameToken[] longer)
    {
        var full = 0;
        foreach (var token in shorter)
        {
            if (!token.IsInitial)
            {
                full++;
            }
        }

        return full == 1 && !shorter[0].IsInitial && !longer[0].IsInitial && shorter[0].Text == longer[0].Text;
    }

    private static void AddFull(List<NameToken>? agreed, NameToken[] tokens)
    {
        if (agreed is null)
        {
            return;
        }

        foreach (var token in tokens)
        {
            if (!token.IsInitial && !ContainsText(agreed, token.Text))
            {
                agreed.Add(token);
            }
        }
    }

    private AgreementLevel CompareTokens(NameToken a, NameToken b)
    {
        if (a.IsInitial || b.IsInitial)
        {
            return a.Text[0] == b.Text[0] ? AgreementLevel.Initial : AgreementLevel.Disagree;
        }

        if (a.Text == b.Text || IsParticleJoined(a.Text, b.Text) || IsParticleJoined(b.Text, a.Text))
        {
            return AgreementLevel.Exact;
        }

        if (NicknameTable.SharesGroup(a.NicknameGroups, b.NicknameGroups))
        {
            return AgreementLevel.Nickname;
        }

        if (IsClose(a.Text, a.CharacterMask, b.Text, b.CharacterMask))
        {
            return AgreementLevel.Close;
        }

        return a.Phonetic.Agrees(b.Phonetic) ? AgreementLevel.Phonetic : AgreementLevel.Disagree;
    }

    // "DelValle" written as one word against "del Valle" (whose particle the tokens drop): the same surname. The word
    // has at least 4 letters, so "Delia" is not "de" + "Lia".
    private static readonly string[] JoinedParticles = ["delos", "delas", "dela", "del", "de", "los", "las", "la"];

    private static bool IsParticleJoined(string joined, string word)
    {
        if (word.Length < 4 || joined.Length <= word.Length + 1 || !joined.EndsWith(word, StringComparison.Ordinal))
        {
            return false;
        }

        var prefix = joined.AsSpan(0, joined.Length - word.Length);
        foreach (var particle in JoinedParticles)
        {
            if (prefix.SequenceEqual(particle))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsClose(string a, ulong maskA, string b, ulong maskB) =>
        (StringSimilarity.CanReachJaroWinkler(a, maskA, b, maskB, _settings.NameJaroWinkler) && StringSimilarity.JaroWinkler(a, b) >= _settings.NameJaroWinkler) ||
        (Math.Min(a.Length, b.Length) >= _settings.NameEditMinLength && StringSimilarity.WithinOneEdit(a, b));

    // Same words in any order, counting repeats ("García García" is not "García Martínez").
    private static bool SameTokenSet(NamePart a, NamePart b)
    {
        var x = a.TokenArray;
        var y = b.TokenArray;
        if (x.Length != y.Length)
        {
            return false;
        }

        if (x.Length == 1)
        {
            // The common case, without the bookkeeping below.
            return x[0].Text == y[0].Text;
        }

        Span<bool> used = y.Length <= 32 ? stackalloc bool[y.Length] : new bool[y.Length];
        foreach (var token in x)
        {
            var found = false;
            for (var j = 0; j < y.Length && !found; j++)
            {
                if (!used[j] && y[j].Text == token.Text)
                {
                    used[j] = true;
                    found = true;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private (AgreementLevel Given, AgreementLevel Surname, bool Swapped, bool ViaAlias) CompareNames(
        IReadOnlyList<PersonName> a, IReadOnlyList<PersonName> b, NameFrequencies? frequencies, Scratch scratch)
    {
        var best = (Given: AgreementLevel.Missing, Surname: AgreementLevel.Missing, Swapped: false, ViaAlias: false);
        var bestRank = int.MinValue;
        scratch.BestGiven.Clear();
        scratch.BestSurname.Clear();
        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i];
            for (var j = 0; j < b.Count; j++)
            {
                var y = b[j];
                var alias = x.IsAlias || y.IsAlias;
                var given = CompareParts(x.Given, y.Given, isSurname: false, scratch.Given, frequencies);
                var surname = CompareParts(x.Surname, y.Surname, isSurname: true, scratch.Surname, frequencies);
                // Aliases must beat the primary names outright to be credited.
                var rank = (Rank(given) + Rank(surname)) * 2 - (alias ? 1 : 0);
                if (rank > bestRank)
                {
                    bestRank = rank;
                    best = (given, surname, false, alias);
                    scratch.KeepCurrent();
                }

                // The crossed reading only counts when it outranks the best so far, so it is not compared when even
                // its best outcome could not (two straight exact parts are the usual case): the same result, sooner.
                if (SwappedRank(MaxRank, MaxRank, alias) <= bestRank)
                {
                    continue;
                }

                var swappedGiven = CompareParts(x.Given, y.Surname, isSurname: false, scratch.Given, frequencies);
                if (SwappedRank(Rank(swappedGiven), MaxRank, alias) <= bestRank)
                {
                    continue;
                }

                var swappedSurname = CompareParts(x.Surname, y.Given, isSurname: false, scratch.Surname, frequencies);
                if (swappedGiven <= AgreementLevel.Close || swappedSurname <= AgreementLevel.Close)
                {
                    var swappedRank = SwappedRank(Rank(swappedGiven), Rank(swappedSurname), alias);
                    if (swappedRank > bestRank)
                    {
                        bestRank = swappedRank;
                        // Words count by the part they are read as: x's given words are given-name words.
                        best = (swappedGiven, swappedSurname, true, alias);
                        scratch.KeepCurrent();
                    }
                }
            }
        }

        return best;

        static int SwappedRank(int given, int surname, bool alias) => (given + surname) * 2 - (alias ? 1 : 0) - 1;
    }

    private const int MaxRank = 7;

    private static int Rank(AgreementLevel level) => level switch
    {
        AgreementLevel.Exact => MaxRank,
        AgreementLevel.Partial => 6,
        AgreementLevel.Nickname => 5,
        AgreementLevel.Close => 4,
        AgreementLevel.Phonetic => 3,
        AgreementLevel.Initial => 2,
        AgreementLevel.Missing => 1,
        _ => 0,
    };

    private AgreementLevel CompareIdentifiers(IReadOnlyList<NormalizedIdentifier> a, IReadOnlyList<NormalizedIdentifier> b)
    {
        var result = AgreementLevel.Missing;
        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i];
            for (var j = 0; j < b.Count; j++)
            {
                var y = b[j];
                if (x.Type != y.Type)
                {
                    continue;
                }

                if (x.Value == y.Value)
                {
                    return AgreementLevel.Exact;
                }

                var level = Math.Min(x.Value.Length, y.Value.Length) >= _settings.IdentifierEditMinLength &&
                            StringSimilarity.WithinOneEdit(x.Value, y.Value)
                    ? AgreementLevel.Close
                    : AgreementLevel.Disagree;
                result = level < result ? level : result;
            }
        }

        return result;
    }

    private static AgreementLevel ComparePhones(IReadOnlyList<NormalizedPhone> a, IReadOnlyList<NormalizedPhone> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return AgreementLevel.Missing;
        }

        var result = AgreementLevel.Disagree;
        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i];
            for (var j = 0; j < b.Count; j++)
            {
                var y = b[j];
                if (!x.Validity.Overlaps(y.Validity))
                {
                    continue;
                }
                if (x.E164 == y.E164)
                {
                    return AgreementLevel.Exact;
                }
                // A Mexican number read as +1 by one agency and written +52 by the other: the same digits, perhaps
                // the same line, but not the same number (ADR-004: partial phone level, capped weight).
                if (x.NationalNumber == y.NationalNumber)
                {
                    result = AgreementLevel.Partial;
                }
            }
        }

        return result;
    }

    private AgreementLevel CompareAddresses(IReadOnlyList<NormalizedAddress> a, IReadOnlyList<NormalizedAddress> b)
    {
        var result = AgreementLevel.Missing;
        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i];
            for (var j = 0; j < b.Count; j++)
            {
                var y = b[j];
                if (x.IsEmpty || y.IsEmpty)
                {
                    continue;
                }

                if (x.Key == y.Key || x.IsSamePlace(y))
                {
                    return AgreementLevel.Exact;
                }

                var level = AddressAgreement(x, y);
                result = level < result ? level : result;
            }
        }

        return result;
    }

    /// <summary>
    /// How far two addresses that are not the same place agree: the fuzzy Dice coefficient over the informative address
    /// tokens (street types, directions, unit marks and state codes left out: two addresses on different roads in the
    /// same state share those), close from <see cref="ComparatorSettings.AddressClose"/>, partial from
    /// <see cref="ComparatorSettings.AddressPartial"/>. Numbers must be equal, words may be typo-close; each token takes
    /// the first unused equal token, else the first unused typo-close one. The matching stops as soon as the tokens
    /// left cannot change the level.
    /// </summary>
    internal AgreementLevel AddressAgreement(NormalizedAddress a, NormalizedAddress b)
    {
        var x = a.InformativeTokens;
        var y = b.InformativeTokens;
        if (x.Length == 0 || y.Length == 0)
        {
            return AddressLevel(0);
        }

        Span<bool> used = y.Length <= 64 ? stackalloc bool[y.Length] : new bool[y.Length];
        used.Clear();
        // y's character masks (0: a token no typo can join), computed once here when a token first needs them, not
        // once per token pair; with the addresses' features they would cost every record read.
        Span<ulong> yMasks = y.Length <= 64 ? stackalloc ulong[y.Length] : new ulong[y.Length];
        var yMasked = false;
        var total = x.Length + y.Length;
        var (partialNeeded, closeNeeded) = total <= TabulatedAddressTokens ? _addressMatchesNeeded[total] : AddressMatchesNeeded(total);
        var matches = 0;
        for (var i = 0; ; i++)
        {
            // The level only rises with the matches: settled when the most the rest could add leaves it where it is.
            var level = AddressLevelOf(matches, partialNeeded, closeNeeded);
            if (i == x.Length || level == AddressLevelOf(matches + Math.Min(x.Length - i, y.Length - matches), partialNeeded, closeNeeded))
            {
                return level;
            }

            var token = x[i];
            var found = -1;
            for (var j = 0; j < y.Length; j++)
            {
                if (!used[j] && y[j] == token)
                {
                    found = j;
                    break;
                }
            }

            if (found < 0 && IsFuzzyWord(token))
            {
                if (!yMasked)
                {
                    for (var j = 0; j < y.Length; j++)
                    {
                        yMasks[j] = IsFuzzyWord(y[j]) ? StringSimilarity.CharacterMask(y[j]) : 0;
                    }

                    yMasked = true;
                }

                var mask = StringSimilarity.CharacterMask(token);
                for (var j = 0; j < y.Length; j++)
                {
                    if (!used[j] && yMasks[j] != 0 && StringSimilarity.CanReachJaroWinkler(token, mask, y[j], yMasks[j], 0.9) &&
                        StringSimilarity.JaroWinkler(token, y[j]) >= 0.9)
                    {
                        found = j;
                        break;
                    }
                }
            }

            if (found >= 0)
            {
                used[found] = true;
                matches++;
            }
        }
    }

    // An address word that may agree with another by a typo: at least 4 characters, starting with a letter (numbers
    // must be equal).
    private static bool IsFuzzyWord(string token) => token.Length >= 4 && char.IsAsciiLetter(token[0]);

    private static AgreementLevel AddressLevelOf(int matches, int partialNeeded, int closeNeeded) =>
        matches >= closeNeeded ? AgreementLevel.Close : matches >= partialNeeded ? AgreementLevel.Partial : AgreementLevel.Disagree;

    // The fewest of `total` tokens that must match for the coefficient (2 × matches / total, at most half the tokens
    // matching) to reach partial and close agreement (int.MaxValue: never). It only rises with the matches, so these
    // counts give the same level as the coefficient itself (AddressLevel), without dividing per token.
    private (int Partial, int Close) AddressMatchesNeeded(int total)
    {
        var (partial, close) = (int.MaxValue, int.MaxValue);
        for (var matches = total / 2; matches >= 0; matches--)
        {
            var similarity = 2.0 * matches / total;
            partial = similarity >= _settings.AddressPartial ? matches : partial;
            close = similarity >= _settings.AddressClose ? matches : close;
        }

        return (partial, close);
    }

    private AgreementLevel AddressLevel(double similarity) =>
        similarity >= _settings.AddressClose ? AgreementLevel.Close
        : similarity >= _settings.AddressPartial ? AgreementLevel.Partial
        : AgreementLevel.Disagree;
}
