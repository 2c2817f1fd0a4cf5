using System.Collections.Frozen;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// The Mexican address words of <c>Data/mx-address.csv</c>: street types, exterior-number and interior designators,
/// the colonia and postal-code markers, states and the country, each variant folded as <see cref="TextFolding"/>
/// folds text. Multi-word variants ("nuevo leon", "c p") are phrases, joined into their canonical word first.
/// </summary>
internal sealed class MexicanAddressVocabulary
{
    private MexicanAddressVocabulary(Dictionary<string, (string Kind, string Canonical)> words, Dictionary<string, string> phrases)
    {
        Words = words.ToFrozenDictionary(StringComparer.Ordinal);
        Phrases = phrases.ToFrozenDictionary(StringComparer.Ordinal);
        MaxPhraseWords = phrases.Count == 0 ? 1 : phrases.Keys.Max(phrase => phrase.Count(c => c == ' ') + 1);
    }

    public static MexicanAddressVocabulary Default { get; } = LoadEmbedded();

    /// <summary>Single-word variants: kind (<c>street</c>, <c>number</c>, <c>unit</c>, <c>colonia</c>, <c>postcode</c>, <c>state</c>, <c>country</c>) and canonical form.</summary>
    public FrozenDictionary<string, (string Kind, string Canonical)> Words { get; }

    /// <summary>Multi-word variants (words joined by one space) and the canonical word they become.</summary>
    public FrozenDictionary<string, string> Phrases { get; }

    public int MaxPhraseWords { get; }

    /// <summary>The variants of one kind, canonical form by variant.</summary>
    public IEnumerable<KeyValuePair<string, string>> OfKind(string kind) =>
        Words.Where(word => word.Value.Kind == kind).Select(word => KeyValuePair.Create(word.Key, word.Value.Canonical));

    /// <summary>Joins phrases ("nuevo", "leon" → "nl"), longest first, so that their words are not read one by one.</summary>
    public List<string> JoinPhrases(string[] tokens)
    {
        var result = new List<string>(tokens.Length);
        for (var i = 0; i < tokens.Length; i++)
        {
            var joined = false;
            for (var length = Math.Min(MaxPhraseWords, tokens.Length - i); length >= 2 && !joined; length--)
            {
                if (Phrases.TryGetValue(string.Join(' ', tokens, i, length), out var canonical))
                {
                    result.Add(canonical);
                    i += length - 1;
                    joined = true;
                }
            }
            if (!joined)
            {
                result.Add(tokens[i]);
            }
        }
        return result;
    }

    internal static MexicanAddressVocabulary Parse(TextReader reader)
    {
        var words = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var phrases = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] kinds = ["street", "number", "unit", "colonia", "postcode", "state", "country"];
        var header = false;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (!header)
            {
                header = line == "kind,canonical,variants"
                    ? true
                    : throw new FormatException($"mx-address.csv line {number}: expected the header kind,canonical,variants");
                continue;
            }
            var columns = line.Split(',');
            if (columns.Length != 3 || !kinds.Contains(columns[0]) || columns[1].Length == 0)
            {
                throw new FormatException($"mx-address.csv line {number}: expected kind ({string.Join('|', kinds)}),canonical,variants");
            }
            foreach (var variant in columns[2].Split('|').Append(columns[0] is "state" or "country" or "postcode" ? columns[1] : columns[2].Split('|')[0]))
            {
                var folded = string.Join(' ', TextFolding.Tokens(variant, keep: "#"));
                if (folded.Length == 0)
                {
                    throw new FormatException($"mx-address.csv line {number}: an empty variant");
                }
                if (folded.Contains(' ', StringComparison.Ordinal))
                {
                    phrases[folded] = columns[1];
                }
                else
                {
                    words[folded] = (columns[0], columns[1]);
                }
            }
        }
        return new MexicanAddressVocabulary(words, phrases);
    }

    private static MexicanAddressVocabulary LoadEmbedded()
    {
        using var stream = typeof(MexicanAddressVocabulary).Assembly.GetManifestResourceStream("SharingHub.Matching.mx-address.csv")
            ?? throw new InvalidOperationException("The embedded Mexican address vocabulary is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
