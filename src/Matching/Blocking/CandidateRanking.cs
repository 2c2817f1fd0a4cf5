namespace SharingHub.Matching.Blocking;

/// <summary>
/// Chooses which candidates of a record are worth a full comparison (issue 14). A candidate found through a strong key
/// (an identifier, a phone, a street line, a place or an operation cell) is always compared. A candidate found only
/// through name and date keys (<c>n:</c>, <c>m:</c>, <c>v:</c>, <c>d:</c>, <c>z:</c>) is ranked by how rare the keys it
/// shares are: each shared key adds <c>1 / (records in its block)</c>, so one key that few records share, or several
/// independent ones, outrank a single common one (a frequent surname sound and a birth year). Only the best
/// <see cref="MaxWeakCandidates"/> of those are compared; the rest are pruned, and counted.
/// </summary>
/// <param name="MaxWeakCandidates">Candidates found only through name and date keys that one record compares at most.</param>
public sealed record CandidateRanking(int MaxWeakCandidates)
{
    /// <summary>Whether a key is derived from names and dates only, so that many unrelated people may share it.</summary>
    public static bool IsWeak(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 1 && key[1] == ':' && key[0] is 'n' or 'm' or 'v' or 'd' or 'z';
    }

    /// <summary>
    /// The candidates of one record to compare. <paramref name="blocks"/> holds, for each key of the record that was
    /// looked up, the other agencies' records that share it (a block skipped as too common is not passed). The result is
    /// deterministic: ties in rank go to the lower record id.
    /// </summary>
    /// <returns>The chosen candidates, and how many were pruned.</returns>
    public (IReadOnlyCollection<long> Chosen, int Pruned) Choose(IEnumerable<(string Key, IReadOnlyCollection<long> Records)> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var strong = new HashSet<long>();
        var weak = new Dictionary<long, double>();
        foreach (var (key, records) in blocks)
        {
            if (records.Count == 0)
            {
                continue;
            }
            if (!IsWeak(key))
            {
                strong.UnionWith(records);
                continue;
            }
            var weight = 1.0 / records.Count;
            foreach (var record in records)
            {
                weak[record] = weak.GetValueOrDefault(record) + weight;
            }
        }
        foreach (var record in strong)
        {
            weak.Remove(record);
        }
        if (weak.Count <= MaxWeakCandidates)
        {
            strong.UnionWith(weak.Keys);
            return (strong, 0);
        }
        strong.UnionWith(weak.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(MaxWeakCandidates).Select(c => c.Key));
        return (strong, weak.Count - MaxWeakCandidates);
    }
}
