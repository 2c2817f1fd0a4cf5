using System.Collections.Frozen;

namespace SharingHub.Matching.Scoring;

/// <summary>Which part of a name a component comes from: given-name words and surname words are counted apart.</summary>
public enum NameComponentKind
{
    /// <summary>A word of the given name (<c>jose</c>, <c>luis</c>).</summary>
    Given = 1,

    /// <summary>A word of the surname, particles left out (<c>trevino</c>, <c>garza</c>, <c>cruz</c>).</summary>
    Surname = 2,
}

/// <summary>One folded word of a record's primary name, as counted for term frequencies.</summary>
/// <param name="Kind">Given name or surname.</param>
/// <param name="Token">The folded word (lower-case ASCII letters).</param>
public readonly record struct NameComponent(NameComponentKind Kind, string Token);

/// <summary>
/// How common each name component is among the stored person records: for each kind, the number of records whose
/// primary name holds the word, and the number of records with that part at all. Only counts: no record, agency or
/// pairing of words is kept. Immutable, so a matcher can read one snapshot from many threads while the next is built.
/// </summary>
public sealed class NameFrequencies
{
    private readonly FrozenDictionary<string, long> _given;
    private readonly FrozenDictionary<string, long> _surname;

    /// <summary>Builds a snapshot from per-kind counts.</summary>
    /// <param name="given">Records whose given name holds each word.</param>
    /// <param name="givenRecords">Records with a given name.</param>
    /// <param name="surname">Records whose surname holds each word.</param>
    /// <param name="surnameRecords">Records with a surname.</param>
    public NameFrequencies(IEnumerable<KeyValuePair<string, long>> given, long givenRecords, IEnumerable<KeyValuePair<string, long>> surname, long surnameRecords)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(surname);
        _given = given.ToFrozenDictionary(StringComparer.Ordinal);
        _surname = surname.ToFrozenDictionary(StringComparer.Ordinal);
        GivenRecords = givenRecords;
        SurnameRecords = surnameRecords;
    }

    /// <summary>No counts: scoring without term-frequency adjustment.</summary>
    public static NameFrequencies Empty { get; } = new([], 0, [], 0);

    /// <summary>Records with a given name.</summary>
    public long GivenRecords { get; }

    /// <summary>Records with a surname.</summary>
    public long SurnameRecords { get; }

    /// <summary>Distinct words counted, both kinds.</summary>
    public int DistinctComponents => _given.Count + _surname.Count;

    /// <summary>
    /// The component that stands for several words agreeing together: the words sorted and joined with a space
    /// (<c>carlos juan</c>), so the order they were written in does not matter.
    /// </summary>
    public static string Combination(IEnumerable<string> words) => string.Join(' ', words.Order(StringComparer.Ordinal));

    /// <summary>The records of <paramref name="kind"/> whose name holds <paramref name="token"/> (0 when unseen).</summary>
    public long CountOf(NameComponentKind kind, string token) =>
        (kind == NameComponentKind.Given ? _given : _surname).GetValueOrDefault(token);

    /// <summary>
    /// The share of records of <paramref name="kind"/> holding <paramref name="token"/>: the chance that a random other
    /// record agrees on it. At least one record counts (the record being scored may not be counted yet); null when
    /// fewer than <paramref name="minRecords"/> records are counted, as shares over a handful of records mean nothing.
    /// </summary>
    public double? Share(NameComponentKind kind, string token, long minRecords)
    {
        var records = kind == NameComponentKind.Given ? GivenRecords : SurnameRecords;
        if (records < Math.Max(1, minRecords))
        {
            return null;
        }

        return Math.Min(1.0, Math.Max(1, CountOf(kind, token)) / (double)records);
    }
}

/// <summary>
/// Mutable counts of name components, for building <see cref="NameFrequencies"/> (the lab, tests). The hub keeps the
/// same counts in PostgreSQL instead. The empty token of a kind counts the records that have that part.
/// </summary>
public sealed class NameFrequencyCounter
{
    private readonly Dictionary<(NameComponentKind, string), long> _counts = [];

    /// <summary>Adds (<paramref name="delta"/> 1) or removes (−1) one record's components.</summary>
    public void Add(IEnumerable<NameComponent> components, long delta)
    {
        ArgumentNullException.ThrowIfNull(components);
        foreach (var component in components)
        {
            var key = (component.Kind, component.Token);
            _counts[key] = _counts.GetValueOrDefault(key) + delta;
        }
    }

    /// <summary>An immutable snapshot of the counts so far.</summary>
    public NameFrequencies Snapshot()
    {
        KeyValuePair<string, long>[] Of(NameComponentKind kind) =>
            [.. _counts.Where(pair => pair.Key.Item1 == kind && pair.Key.Item2.Length > 0 && pair.Value > 0).Select(pair => KeyValuePair.Create(pair.Key.Item2, pair.Value))];

        return new NameFrequencies(Of(NameComponentKind.Given), _counts.GetValueOrDefault((NameComponentKind.Given, string.Empty)),
            Of(NameComponentKind.Surname), _counts.GetValueOrDefault((NameComponentKind.Surname, string.Empty)));
    }
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
}
