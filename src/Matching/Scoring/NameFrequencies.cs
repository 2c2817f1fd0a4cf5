using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Scoring;

/// <summary>Which part of a name a component comes from: given-name words and surname words are counted apart.</summary>
public enum NameComponentKind
{
    /// <summary>A word of the given name (<c>jose</c>, <c>luis</c>).</summary>
    Given = 1,

    /// <summary>A word of the surname, particles left out (<c>trevino</c>, <c>garza</c>, <c>cruz</c>).</summary>
    Surname = 2,

    /// <summary>
    /// Given-name words and surname words held together (<c>jose luis|garcia</c>): the full name, counted only where
    /// <see cref="MatchingEngine.FullNameComponents"/> is counted (the lab's <c>--full-names</c>; the hub does not).
    /// </summary>
    Full = 3,
}

/// <summary>One folded word of a record's primary name, as counted for term frequencies.</summary>
/// <param name="Kind">Given name or surname.</param>
/// <param name="Token">The folded word (lower-case ASCII letters).</param>
public readonly record struct NameComponent(NameComponentKind Kind, string Token);

/// <summary>
/// How common each name component is among the stored person records: for each kind, the number of records whose
/// primary name holds the word, and the number of records with that part at all. Only counts, each under a 64-bit
/// hash of its component (<see cref="Hash(NameComponentKind, string)"/>): no name, record or agency is kept. Immutable, so a matcher can read one
/// snapshot from many threads while the next is built; <see cref="With"/> builds the next from the changed counts only.
/// </summary>
public sealed class NameFrequencies
{
    // The counts as last built whole, and the counts changed since (0: no longer counted), which take precedence. The
    // changes are folded into a new whole once they are more than an eighth of it (and more than MinMerge).
    private readonly FrozenDictionary<long, long> _counts;
    private readonly FrozenDictionary<long, long> _changes;
    private const int MinMerge = 4096;

    /// <summary>Builds a snapshot from counts keyed by <see cref="Hash(NameComponentKind, string)"/>; the empty token of a kind counts its records.</summary>
    public NameFrequencies(IEnumerable<KeyValuePair<long, long>> counts)
        : this(Counted(counts), FrozenDictionary<long, long>.Empty)
    {
    }

    private static FrozenDictionary<long, long> Counted(IEnumerable<KeyValuePair<long, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return counts.Where(pair => pair.Value > 0).ToFrozenDictionary();
    }

    private NameFrequencies(FrozenDictionary<long, long> counts, FrozenDictionary<long, long> changes)
    {
        _counts = counts;
        _changes = changes;
        Count = counts.Count + changes.Sum(change => (change.Value > 0, counts.ContainsKey(change.Key)) switch
        {
            (true, false) => 1,
            (false, true) => -1,
            _ => 0,
        });
        GivenRecords = CountOf(Hash(NameComponentKind.Given, string.Empty));
        SurnameRecords = CountOf(Hash(NameComponentKind.Surname, string.Empty));
        FullRecords = CountOf(Hash(NameComponentKind.Full, string.Empty));
    }

    /// <summary>
    /// This snapshot with some counts changed (a count of 0 or less: no longer counted), without copying the
    /// unchanged ones each time: what a replica reads when only the counts folded since its last read have moved.
    /// </summary>
    public NameFrequencies With(IEnumerable<KeyValuePair<long, long>> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var merged = new Dictionary<long, long>(_changes);
        var any = false;
        foreach (var (hash, count) in changes)
        {
            merged[hash] = count;
            any = true;
        }
        if (!any)
        {
            return this;
        }
        if (merged.Count <= Math.Max(MinMerge, _counts.Count / 8))
        {
            return new NameFrequencies(_counts, merged.ToFrozenDictionary());
        }
        var whole = new Dictionary<long, long>(_counts);
        foreach (var (hash, count) in merged)
        {
            whole[hash] = count;
        }
        return new NameFrequencies(whole);
    }

    /// <summary>No counts: scoring without term-frequency adjustment.</summary>
    public static NameFrequencies Empty { get; } = new([]);

    /// <summary>Records with a given name.</summary>
    public long GivenRecords { get; }

    /// <summary>Records with a surname.</summary>
    public long SurnameRecords { get; }

    /// <summary>Person records counted: those with a given name or a surname, whichever are more.</summary>
    public long PersonRecords => Math.Max(GivenRecords, SurnameRecords);

    /// <summary>Records with both a given name and a surname whose full-name components were counted (0: none were).</summary>
    public long FullRecords { get; }

    /// <summary>Distinct components counted, both kinds, the two record counts included.</summary>
    public int Count { get; }

    /// <summary>
    /// The 64-bit key a component is counted under: the first 8 bytes of SHA-256 over "kind:token" (UTF-8). Stable
    /// across processes and releases, as stored counts outlive both; collisions are negligible at a few million names.
    /// </summary>
    public static long Hash(NameComponentKind kind, string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Hash(kind, token.AsSpan());
    }

    /// <inheritdoc cref="Hash(NameComponentKind, string)"/>
    public static long Hash(NameComponentKind kind, ReadOnlySpan<char> token)
    {
        var size = 2 + Encoding.UTF8.GetMaxByteCount(token.Length);
        Span<byte> text = size <= 512 ? stackalloc byte[size] : new byte[size];
        text[0] = (byte)('0' + (int)kind);
        text[1] = (byte)':';
        var length = 2 + Encoding.UTF8.GetBytes(token, text[2..]);
        return Digest(text[..length]);
    }

    /// <summary>
    /// The key of the <see cref="Combination"/> of <paramref name="words"/>, computed without building the string:
    /// the same as <c>Hash(kind, Combination(words))</c>.
    /// </summary>
    internal static long CombinationHash(NameComponentKind kind, List<NameToken> words)
    {
        Span<int> order = words.Count <= 32 ? stackalloc int[words.Count] : new int[words.Count];
        var size = 2;
        for (var i = 0; i < words.Count; i++)
        {
            // Insertion sort by ordinal text, as Combination orders them.
            var j = i;
            while (j > 0 && string.CompareOrdinal(words[order[j - 1]].Text, words[i].Text) > 0)
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
            size += Encoding.UTF8.GetMaxByteCount(words[i].Text.Length) + 1;
        }

        Span<byte> text = size <= 512 ? stackalloc byte[size] : new byte[size];
        text[0] = (byte)('0' + (int)kind);
        text[1] = (byte)':';
        var length = 2;
        for (var i = 0; i < order.Length; i++)
        {
            if (i > 0)
            {
                text[length++] = (byte)' ';
            }

            length += Encoding.UTF8.GetBytes(words[order[i]].Text, text[length..]);
        }

        return Digest(text[..length]);
    }

    private static long Digest(ReadOnlySpan<byte> text)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text, digest);
        return BinaryPrimitives.ReadInt64LittleEndian(digest);
    }

    /// <inheritdoc cref="Hash(NameComponentKind, string)"/>
    public static long Hash(NameComponent component) => Hash(component.Kind, component.Token);

    /// <summary>
    /// The component that stands for several words agreeing together: the words sorted and joined with a space
    /// (<c>carlos juan</c>), so the order they were written in does not matter.
    /// </summary>
    public static string Combination(IEnumerable<string> words) => string.Join(' ', words.Order(StringComparer.Ordinal));

    /// <summary>The records of <paramref name="kind"/> whose name holds <paramref name="token"/> (0 when unseen).</summary>
    public long CountOf(NameComponentKind kind, string token) => CountOf(Hash(kind, token));

    /// <summary>The records counted under <paramref name="hash"/> (a <see cref="Hash(NameComponentKind, string)"/> key; 0 when unseen).</summary>
    public long CountOf(long hash) => _changes.TryGetValue(hash, out var changed) ? Math.Max(0, changed) : _counts.GetValueOrDefault(hash);

    /// <summary>
    /// The share of records of <paramref name="kind"/> holding <paramref name="token"/>: the chance that a random other
    /// record agrees on it. At least one record counts (the record being scored may not be counted yet); null when
    /// fewer than <paramref name="minRecords"/> records are counted, as shares over a handful of records mean nothing.
    /// </summary>
    public double? Share(NameComponentKind kind, string token, long minRecords)
    {
        var records = RecordsOf(kind);
        return records < Math.Max(1, minRecords) ? null : Share(kind, Hash(kind, token), minRecords);
    }

    /// <summary>As <see cref="Share(NameComponentKind, string, long)"/>, for the component whose key is <paramref name="hash"/>.</summary>
    public double? Share(NameComponentKind kind, long hash, long minRecords)
    {
        var records = RecordsOf(kind);
        if (records < Math.Max(1, minRecords))
        {
            return null;
        }

        return Math.Min(1.0, Math.Max(1, CountOf(hash)) / (double)records);
    }

    /// <summary>The records counted for <paramref name="kind"/>.</summary>
    public long RecordsOf(NameComponentKind kind) => kind switch
    {
        NameComponentKind.Given => GivenRecords,
        NameComponentKind.Surname => SurnameRecords,
        _ => FullRecords,
    };

    /// <summary>The <see cref="NameComponentKind.Full"/> token of given-name words and surname words held together.</summary>
    public static string FullName(IEnumerable<string> givenWords, IEnumerable<string> surnameWords) =>
        Combination(givenWords) + "|" + Combination(surnameWords);
}

/// <summary>
/// Mutable counts of name components, for building <see cref="NameFrequencies"/> (the lab, tests). The hub keeps the
/// same counts in PostgreSQL instead.
/// </summary>
public sealed class NameFrequencyCounter
{
    private readonly Dictionary<long, long> _counts = [];

    /// <summary>Adds (<paramref name="delta"/> 1) or removes (−1) one record's components.</summary>
    public void Add(IEnumerable<NameComponent> components, long delta)
    {
        ArgumentNullException.ThrowIfNull(components);
        foreach (var component in components)
        {
            var key = NameFrequencies.Hash(component);
            _counts[key] = _counts.GetValueOrDefault(key) + delta;
        }
    }

    /// <summary>An immutable snapshot of the counts so far.</summary>
    public NameFrequencies Snapshot() => new(_counts.Where(pair => pair.Value > 0));
}

/// <summary>Bounds of the term-frequency adjustment; part of the versioned parameter file.</summary>
public sealed record TermFrequencySettings
{
    /// <summary>Largest bonus (bits) a rare name part adds to its agreement weight.</summary>
    public double MaxBonus { get; init; } = 3;

    /// <summary>Largest penalty (bits) a common name part takes off its agreement weight.</summary>
    public double MaxPenalty { get; init; } = 6;

    /// <summary>Fewest counted records of a kind before shares are used at all.</summary>
    public long MinRecords { get; init; } = 1000;

    /// <summary>
    /// With full-name counts (<see cref="NameComponentKind.Full"/>): how many records holding the agreed full name are
    /// taken as the pair's own person before the rest count as other people (a person is known to at most three
    /// agencies). The names then weigh no more than that rest supports.
    /// </summary>
    public int FullNameLeaveOut { get; init; } = 3;
}
