using System.Numerics;

namespace SharingHub.Matching.Normalization;

/// <summary>String similarity measures used by the comparators. All are allocation-free for short strings.</summary>
public static class StringSimilarity
{
    private const int StackLimit = 64;

    /// <summary>
    /// Jaro–Winkler similarity in [0, 1] with the usual prefix scale 0.1 over at most 4 characters,
    /// applied only when the Jaro similarity exceeds 0.7 (Winkler's boost threshold).
    /// </summary>
    public static double JaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var jaro = Jaro(a, b);
        if (jaro <= 0.7)
        {
            return jaro;
        }

        var prefix = 0;
        var limit = Math.Min(4, Math.Min(a.Length, b.Length));
        while (prefix < limit && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * 0.1 * (1 - jaro));
    }

    /// <summary>Jaro similarity in [0, 1].</summary>
    public static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        if (a.SequenceEqual(b))
        {
            return 1;
        }

        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        Span<bool> aFlags = a.Length <= StackLimit ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> bFlags = b.Length <= StackLimit ? stackalloc bool[b.Length] : new bool[b.Length];
        aFlags.Clear();
        bFlags.Clear();

        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (!bFlags[j] && a[i] == b[j])
                {
                    aFlags[i] = true;
                    bFlags[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!aFlags[i])
            {
                continue;
            }

            while (!bFlags[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                transpositions++;
            }

            k++;
        }

        double m = matches;
        return ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2)) / m)) / 3.0;
    }

    /// <summary>
    /// Whether <see cref="JaroWinkler"/> of the two strings can reach <paramref name="threshold"/>, from a cheap upper
    /// bound (linear time): Jaro's matching characters are at most the characters of each string that occur in the
    /// other, and Winkler's prefix adds at most 4 × 0.1 of the rest. False only when the similarity is surely below the
    /// threshold, so <c>CanReachJaroWinkler(a, b, t) &amp;&amp; JaroWinkler(a, b) &gt;= t</c> is <c>JaroWinkler(a, b) &gt;= t</c>.
    /// </summary>
    public static bool CanReachJaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b, double threshold) =>
        CanReachJaroWinkler(a, CharacterMask(a), b, CharacterMask(b), threshold);

    /// <summary>
    /// <see cref="CanReachJaroWinkler(ReadOnlySpan{char}, ReadOnlySpan{char}, double)"/> with each string's
    /// <see cref="CharacterMask"/> computed beforehand (once per word, not once per pair).
    /// </summary>
    public static bool CanReachJaroWinkler(ReadOnlySpan<char> a, ulong maskA, ReadOnlySpan<char> b, ulong maskB, double threshold)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return true;
        }

        // From the masks alone first: each bucket of one string that the other lacks holds at least one character that
        // cannot match. A looser bound than the count below, so it rules out only what the count rules out too.
        var loose = Math.Min(a.Length - BitOperations.PopCount(maskA & ~maskB), b.Length - BitOperations.PopCount(maskB & ~maskA));
        if (!JaroWinklerBoundReaches(loose, a.Length, b.Length, threshold))
        {
            return false;
        }

        int inB = 0, inA = 0;
        foreach (var c in a)
        {
            inB += (int)((maskB >> (c & 63)) & 1);
        }

        foreach (var c in b)
        {
            inA += (int)((maskA >> (c & 63)) & 1);
        }

        return JaroWinklerBoundReaches(Math.Min(inA, inB), a.Length, b.Length, threshold);
    }

    /// <summary>
    /// The characters of <paramref name="text"/> bucketed by their low 6 bits (bit <c>c &amp; 63</c> set for each
    /// character <c>c</c>): a shared bucket may be a different character, which only loosens the bound it serves.
    /// </summary>
    public static ulong CharacterMask(ReadOnlySpan<char> text)
    {
        ulong mask = 0;
        foreach (var c in text)
        {
            mask |= 1UL << (c & 63);
        }

        return mask;
    }

    // Jaro–Winkler's upper bound with at most `matches` matching characters (no transpositions, the longest prefix
    // boost); rises with `matches`.
    private static bool JaroWinklerBoundReaches(int matches, int lengthA, int lengthB, double threshold)
    {
        double m = matches;
        var jaro = m <= 0 ? 0 : ((m / lengthA) + (m / lengthB) + 1) / 3.0;
        var bound = jaro > 0.7 ? jaro + (0.4 * (1 - jaro)) : jaro;
        return bound >= threshold - 1e-9;
    }

    /// <summary>
    /// Whether <see cref="DamerauLevenshtein"/> is at most 1 (equal, or one insertion, deletion, substitution or swap of
    /// two adjacent characters apart), in linear time and without the distance matrix.
    /// </summary>
    public static bool WithinOneEdit(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == b.Length)
        {
            var i = 0;
            while (i < a.Length && a[i] == b[i])
            {
                i++;
            }

            return i == a.Length || a[(i + 1)..].SequenceEqual(b[(i + 1)..]) ||
                   (i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)..].SequenceEqual(b[(i + 2)..]));
        }

        if (Math.Abs(a.Length - b.Length) != 1)
        {
            return false;
        }

        var shorter = a.Length < b.Length ? a : b;
        var longer = a.Length < b.Length ? b : a;
        var p = 0;
        while (p < shorter.Length && shorter[p] == longer[p])
        {
            p++;
        }

        return shorter[p..].SequenceEqual(longer[(p + 1)..]);
    }

    /// <summary>
    /// Optimal-string-alignment Damerau–Levenshtein distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost 1.
    /// </summary>
    public static int DamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0)
        {
            return b.Length;
        }

        if (b.Length == 0)
        {
            return a.Length;
        }

        var width = b.Length + 1;
        var size = 3 * width;
        Span<int> rows = size <= 3 * StackLimit ? stackalloc int[size] : new int[size];
        var previous2 = rows[..width];
        var previous = rows.Slice(width, width);
        var current = rows.Slice(2 * width, width);
        for (var j = 0; j < width; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, previous2[j - 2] + 1);
                }

                current[j] = value;
            }

            var recycled = previous2;
            previous2 = previous;
            previous = current;
            current = recycled;
        }

        return previous[b.Length];
    }
}
