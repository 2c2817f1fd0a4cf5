using SharingHub.Matching;

namespace SharingHub.MatchingLab;

/// <summary>A record as the hub would hold it: its evidence, blocking keys and owning agency.</summary>
internal sealed record LabRecord(int Index, string RecId, string Truth, int Agency, PersonEvidence Evidence, IReadOnlyList<string> Keys);

/// <summary>Candidate pairs: records of different agencies sharing at least one blocking key, as the hub's lookup finds them.</summary>
internal static class Candidates
{
    public static IReadOnlyList<LabRecord> Build(MatchingEngine engine, IReadOnlyList<FebrlRow> rows, int agencies, int seed)
    {
        var random = new Random(seed);
        var records = new LabRecord[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var place = row.ToPlace();
            var evidence = engine.BuildPersonEvidence(row.ToPerson(), places: place is null ? null : [place]);
            records[i] = new LabRecord(i, row.RecId, FebrlFile.TruthKey(row.RecId), agencies <= 1 ? 0 : random.Next(agencies), evidence, engine.PersonKeys(evidence));
        }

        return records;
    }

    /// <summary>
    /// Pairs (i &lt; j) sharing a key; with <paramref name="crossAgencyOnly"/>, only pairs of different agencies; with
    /// <paramref name="involves"/>, only pairs with at least one record it accepts (a set among a larger hub).
    /// </summary>
    public static HashSet<(int, int)> Pairs(IReadOnlyList<LabRecord> records, bool crossAgencyOnly, Func<string, bool>? keyFilter = null,
        Func<int, bool>? involves = null)
    {
        var blocks = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            foreach (var key in record.Keys)
            {
                if (keyFilter is not null && !keyFilter(key))
                {
                    continue;
                }

                if (!blocks.TryGetValue(key, out var list))
                {
                    list = [];
                    blocks[key] = list;
                }

                list.Add(record.Index);
            }
        }

        var pairs = new HashSet<(int, int)>();
        foreach (var block in blocks.Values)
        {
            for (var x = 0; x < block.Count; x++)
            {
                var xIn = involves is null || involves(block[x]);
                for (var y = x + 1; y < block.Count; y++)
                {
                    if (!xIn && !involves!(block[y]))
                    {
                        continue;
                    }

                    var a = records[block[x]];
                    var b = records[block[y]];
                    if (crossAgencyOnly && a.Agency == b.Agency)
                    {
                        continue;
                    }

                    pairs.Add(a.Index < b.Index ? (a.Index, b.Index) : (b.Index, a.Index));
                }
            }
        }

        return pairs;
    }

    /// <summary>All true pairs (same truth key), cross-agency only when asked.</summary>
    public static HashSet<(int, int)> TruePairs(IReadOnlyList<LabRecord> records, bool crossAgencyOnly)
    {
        var pairs = new HashSet<(int, int)>();
        foreach (var group in records.GroupBy(record => record.Truth))
        {
            var members = group.ToArray();
            for (var x = 0; x < members.Length; x++)
            {
                for (var y = x + 1; y < members.Length; y++)
                {
                    if (crossAgencyOnly && members[x].Agency == members[y].Agency)
                    {
                        continue;
                    }

                    var (a, b) = (members[x].Index, members[y].Index);
                    pairs.Add(a < b ? (a, b) : (b, a));
                }
            }
        }

        return pairs;
    }

    public static string KindOf(string key) => key[0] is 'o' or 'q' or 'g' ? key[..1] : key[..2];
}
