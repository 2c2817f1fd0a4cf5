using System.Globalization;
using System.Text;

namespace SharingHub.Bench.Chaos;

/// <summary>One person of the chaos run, as one agency publishes it.</summary>
internal sealed record ChaosPerson(string Agency, string LocalId, string Given, string Surname, string Sex, string Ssn);

/// <summary>
/// A cross-agency match the run must find: the same person published by two agencies. Its sides are in ordinal order
/// of (agency, local id), so that a pair read back from the hub compares equal whichever side it stored first.
/// </summary>
internal sealed record ExpectedMatch(string AgencyA, string LocalIdA, string AgencyB, string LocalIdB)
{
    /// <summary>The pair with its sides in order.</summary>
    public static ExpectedMatch Of(string agency1, string localId1, string agency2, string localId2) =>
        string.CompareOrdinal(agency1 + "\n" + localId1, agency2 + "\n" + localId2) <= 0
            ? new(agency1, localId1, agency2, localId2)
            : new(agency2, localId2, agency1, localId1);

    /// <inheritdoc/>
    public override string ToString() => $"{AgencyA}/{LocalIdA} ~ {AgencyB}/{LocalIdB}";
}

/// <summary>
/// The chaos run's population, with its matches known in advance: a share of the persons is published by two
/// agencies (an exact copy, under each agency's own local id: the engine scores it at band Match on the SSN and the
/// names); every other person is published once, with names far from everyone else's (<see cref="Names"/>) and an
/// SSN of its own, so that it matches no one. No dates of birth: thousands of persons share each day, and an exact
/// date outweighs two names that disagree. Deterministic for a seed. Each agency's records come in a shuffled order,
/// so the second copy of a shared person arrives at any time of the stream, not in a block at its end.
/// </summary>
internal sealed class ChaosPopulation
{
    // Names are codewords of a Reed-Solomon code over GF(13): the person's number, five digits in base 13, is the
    // message, and the polynomial it defines, evaluated at 0..11, gives twelve syllables, six for the given name and
    // six for the surname. Two codewords differ in at least eight of the twelve, so no two persons' names are near
    // each other (measured with the engine: see CheckPopulation).
    // Each syllable's consonant is its symbol, and the 13 consonants stay distinct under the phonetic codes the engine
    // compares names with; the vowels only make the names readable.
    private static readonly string[] Consonants = ["b", "d", "f", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w"];
    private const string Vowels = "aeiou";
    private const int Field = 13;
    private const int NameSyllables = 6;

    /// <summary>The most persons a population can have: one codeword each (13 to the 5th).</summary>
    public const int MaxPersons = Field * Field * Field * Field * Field;

    private ChaosPopulation(IReadOnlyDictionary<string, IReadOnlyList<ChaosPerson>> records, IReadOnlyList<ExpectedMatch> expected)
    {
        Records = records;
        Expected = expected;
    }

    /// <summary>Each agency's records, in publishing order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ChaosPerson>> Records { get; }

    /// <summary>The cross-agency matches the hub must find, each once.</summary>
    public IReadOnlyList<ExpectedMatch> Expected { get; }

    /// <summary>All records.</summary>
    public int Count => Records.Values.Sum(r => r.Count);

    /// <summary>
    /// Makes <paramref name="records"/> records over <paramref name="agencies"/> (two or more), of which about
    /// <paramref name="sharedShare"/> are the two copies of a shared person.
    /// </summary>
    public static ChaosPopulation Create(int records, IReadOnlyList<string> agencies, double sharedShare = 0.1, int seed = 1515)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 2);
        if (records > MaxPersons)
        {
            throw new ArgumentOutOfRangeException(nameof(records), string.Create(CultureInfo.InvariantCulture,
                $"the chaos population has names for at most {MaxPersons:N0} records"));
        }
        ArgumentNullException.ThrowIfNull(agencies);
        if (agencies.Count < 2 || agencies.Distinct(StringComparer.Ordinal).Count() != agencies.Count)
        {
            throw new ArgumentException("the chaos run needs two or more distinct agencies", nameof(agencies));
        }
        if (sharedShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sharedShare), "the shared share is between 0 and 1");
        }
        var random = new Random(seed);
        var shared = (int)(records * sharedShare / 2);
        var unique = records - 2 * shared;
        var lists = agencies.ToDictionary(a => a, _ => new List<ChaosPerson>(records / agencies.Count + 1), StringComparer.Ordinal);
        var expected = new List<ExpectedMatch>(shared);
        var person = 0;

        ChaosPerson New(string agency)
        {
            var n = person++;
            var (given, surname) = Names(n);
            return new ChaosPerson(agency, $"C-{n}", given, surname, random.Next(2) == 0 ? "F" : "M", Ssn(n));
        }

        for (var i = 0; i < unique; i++)
        {
            var agency = agencies[i % agencies.Count];
            lists[agency].Add(New(agency));
        }
        for (var i = 0; i < shared; i++)
        {
            var index = random.Next(agencies.Count);
            var first = agencies[index];
            var second = agencies[(index + 1 + random.Next(agencies.Count - 1)) % agencies.Count];
            var original = New(first);
            var copy = original with { Agency = second, LocalId = $"C-{person++}" };
            lists[first].Add(original);
            lists[second].Add(copy);
            expected.Add(ExpectedMatch.Of(first, original.LocalId, second, copy.LocalId));
        }
        foreach (var list in lists.Values)
        {
            Shuffle(list, random);
        }
        return new ChaosPopulation(lists.ToDictionary(p => p.Key, p => (IReadOnlyList<ChaosPerson>)p.Value, StringComparer.Ordinal), expected);
    }

    // A distinct SSN per person: n times a multiplier prime to the modulus is a permutation of 0..modulus-1, and areas
    // 100-599 keep clear of the numbers never issued (000, 666, 900-999).
    private static string Ssn(int n) =>
        (100_000_000 + (long)n * 7_919_093 % 500_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>Person <paramref name="n"/>'s given name and surname (see <see cref="Consonants"/>).</summary>
    internal static (string Given, string Surname) Names(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, MaxPersons);
        Span<int> message = stackalloc int[5];
        for (var i = 0; i < message.Length; i++, n /= Field)
        {
            message[i] = n % Field;
        }
        var given = new StringBuilder();
        var surname = new StringBuilder();
        for (var x = 0; x < 2 * NameSyllables; x++)
        {
            // Horner's rule: the message polynomial at x, mod 13.
            var symbol = 0;
            for (var i = message.Length - 1; i >= 0; i--)
            {
                symbol = (symbol * x + message[i]) % Field;
            }
            // The surname's vowels differ from the given name's at every position: compared swapped (the engine also
            // tries given name against surname), two names are never a typo apart.
            var first = x < NameSyllables;
            (first ? given : surname).Append(Consonants[symbol]).Append(Vowels[(first ? x : x + 2) % Vowels.Length]);
        }
        given[0] = char.ToUpperInvariant(given[0]);
        surname[0] = char.ToUpperInvariant(surname[0]);
        return (given.ToString(), surname.ToString());
    }

    private static void Shuffle<T>(List<T> list, Random random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
