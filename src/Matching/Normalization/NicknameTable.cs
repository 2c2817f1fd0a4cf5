using System.Collections.Frozen;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// Nickname and diminutive equivalence groups (Bill ~ William, Pepe ~ José, Lupe ~ Guadalupe), loaded from a
/// CSV data file: one group per line, names comma-separated, <c>#</c> starts a comment. Two names are
/// equivalent when they share a group. Names are folded (case, diacritics) and inner spaces removed, so a
/// compound given name such as "María José" is looked up as <c>mariajose</c>.
/// </summary>
public sealed class NicknameTable
{
    private static readonly Lazy<NicknameTable> EmbeddedTable = new(LoadEmbedded);
    private readonly FrozenDictionary<string, int[]> _groupsByName;

    private NicknameTable(FrozenDictionary<string, int[]> groupsByName, int groupCount)
    {
        _groupsByName = groupsByName;
        GroupCount = groupCount;
    }

    /// <summary>
    /// The table shipped with the library: the English and Spanish groups of <c>Data/nicknames.csv</c> and the Spanish
    /// hypocoristics of <c>Data/hypocoristics-es.csv</c> (Chuy = Jesús, Lalo = Eduardo, Chente = Vicente...).
    /// </summary>
    public static NicknameTable Default => EmbeddedTable.Value;

    /// <summary>Number of equivalence groups.</summary>
    public int GroupCount { get; }

    /// <summary>
    /// A digest of every name and its group numbers: stored features carry nickname group numbers, so another table
    /// makes them stale (<see cref="Features.RecordFeatures"/>).
    /// </summary>
    internal string Fingerprint => _fingerprint ??= ComputeFingerprint();

    private string? _fingerprint;

    private string ComputeFingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (var (name, groups) in _groupsByName.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').AppendJoin(',', groups).Append(';');
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Parses the CSV format described on the type.</summary>
    public static NicknameTable Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var groupCount = 0;
        while (reader.ReadLine() is { } line)
        {
            var content = line.AsSpan().Trim();
            if (content.IsEmpty || content[0] == '#')
            {
                continue;
            }

            var group = groupCount++;
            foreach (var range in content.Split(','))
            {
                var name = Key(content[range].ToString());
                if (name.Length == 0)
                {
                    continue;
                }

                if (!groups.TryGetValue(name, out var list))
                {
                    list = [];
                    groups[name] = list;
                }

                if (!list.Contains(group))
                {
                    list.Add(group);
                }
            }
        }

        return new NicknameTable(groups.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal), groupCount);
    }

    /// <summary>The groups a (folded or raw) name belongs to; empty when the name is not in the table.</summary>
    public ReadOnlySpan<int> GroupsOf(string name) =>
        _groupsByName.TryGetValue(Key(name), out var groups) ? groups : [];

    /// <summary>True when the two names are different spellings in a shared group.</summary>
    public bool AreEquivalent(string a, string b) => SharesGroup(GroupsOf(a), GroupsOf(b));

    internal static bool SharesGroup(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        foreach (var x in a)
        {
            if (b.Contains(x))
            {
                return true;
            }
        }

        return false;
    }

    private static string Key(string name) => TextFolding.Fold(name).Replace(" ", string.Empty, StringComparison.Ordinal);

    private static NicknameTable LoadEmbedded()
    {
        // One table from both files: group numbers run on across them, so a name may sit in a group of each.
        var text = string.Concat(Embedded("SharingHub.Matching.nicknames.csv"), "\n", Embedded("SharingHub.Matching.hypocoristics-es.csv"));
        using var reader = new StringReader(text);
        return Parse(reader);
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(NicknameTable).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded name table {name} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
