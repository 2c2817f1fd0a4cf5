namespace SharingHub.Matching.Clustering;

/// <summary>A person record in a linked component: its id and its agency.</summary>
public readonly record struct ClusterRecord(long Id, string Agency);

/// <summary>A Match-band person-identity link between two records of different agencies, with its score (bits).</summary>
public readonly record struct ClusterLink(long A, long B, double Score);

/// <summary>
/// Subject clusters (ADR-010): groups of person records the hub believes are one human, built from Match-band links
/// by <b>half-linkage with one record per agency</b>. Starting from single records, two groups merge when
/// <list type="bullet">
/// <item>they hold no two records of one agency, and</item>
/// <item>at least half of the record pairs between them are linked (links × 2 ≥ |G₁| × |G₂|).</item>
/// </list>
/// The eligible merge with the highest share of linked pairs goes first (then the highest total score, then the lowest
/// record id), until none is left. One link joins a single record to a pair (1 of 2), but never two pairs (1 of 4) and
/// never a record to three or more (1 of 3): a weak link never chains two strong groups. The result depends only on
/// the records and links given, never on the order they arrived in, so recomputing a component after any change gives
/// the same clusters as building them from scratch.
/// </summary>
public static class SubjectClustering
{
    /// <summary>
    /// Clusters the records of one linked component. Returns the groups of two or more records, each sorted by id, in
    /// order of their lowest id; a record in no group stands alone. Links to records not given, between records of
    /// one agency, or of a record to itself are ignored.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<long>> Cluster(IEnumerable<ClusterRecord> records, IEnumerable<ClusterLink> links)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(links);
        var agencyOf = new Dictionary<long, string>();
        foreach (var record in records)
        {
            agencyOf.TryAdd(record.Id, record.Agency);
        }
        var score = new Dictionary<(long, long), double>();
        foreach (var link in links)
        {
            if (link.A == link.B || !agencyOf.TryGetValue(link.A, out var agencyA) || !agencyOf.TryGetValue(link.B, out var agencyB)
                || agencyA == agencyB)
            {
                continue;
            }
            var pair = link.A < link.B ? (link.A, link.B) : (link.B, link.A);
            score[pair] = Math.Max(score.GetValueOrDefault(pair, double.MinValue), link.Score);
        }

        var groups = agencyOf.Keys.Order().Select(id => new Group(id, agencyOf[id])).ToList();
        var groupOf = groups.ToDictionary(g => g.Members[0]);
        while (true)
        {
            // Links and score between every two groups that share one.
            var between = new Dictionary<(Group, Group), (int Links, double Score)>();
            foreach (var ((a, b), s) in score)
            {
                var (x, y) = (groupOf[a], groupOf[b]);
                if (x == y)
                {
                    continue;
                }
                var key = x.Min < y.Min ? (x, y) : (y, x);
                var (count, total) = between.GetValueOrDefault(key);
                between[key] = (count + 1, total + s);
            }
            (Group, Group)? best = null;
            (double Share, double Score, long MinX, long MinY) bestRank = default;
            foreach (var ((x, y), (count, total)) in between)
            {
                var pairs = x.Members.Count * y.Members.Count;
                if (count * 2 < pairs || x.Agencies.Overlaps(y.Agencies))
                {
                    continue;
                }
                // Highest share of linked pairs, then highest total score, then lowest ids: a total order, so the
                // result never depends on the order the links came in.
                var rank = ((double)count / pairs, total, x.Min, y.Min);
                if (best is null || rank.Item1 > bestRank.Share
                    || rank.Item1 == bestRank.Share && (rank.total > bestRank.Score
                        || rank.total == bestRank.Score && (rank.Item3 < bestRank.MinX || rank.Item3 == bestRank.MinX && rank.Item4 < bestRank.MinY)))
                {
                    best = (x, y);
                    bestRank = rank;
                }
            }
            if (best is not { } merge)
            {
                break;
            }
            var (into, from) = merge;
            into.Absorb(from);
            foreach (var id in from.Members)
            {
                groupOf[id] = into;
            }
        }
        return [.. groupOf.Values.Distinct().Where(g => g.Members.Count > 1).OrderBy(g => g.Min).Select(g => (IReadOnlyList<long>)[.. g.Members.Order()])];
    }

    private sealed class Group(long id, string agency)
    {
        public List<long> Members { get; } = [id];

        public HashSet<string> Agencies { get; } = new(StringComparer.Ordinal) { agency };

        public long Min { get; private set; } = id;

        public void Absorb(Group other)
        {
            Members.AddRange(other.Members);
            Agencies.UnionWith(other.Agencies);
            Min = Math.Min(Min, other.Min);
        }
    }
}
