namespace SharingHub.Bench.Chaos;

/// <summary>A stored record of the run, as read back from the hub: its rows under one (agency, local id).</summary>
internal sealed record StoredRecord(string Agency, string LocalId, int Rows);

/// <summary>A match of the run's agencies, as read back from the hub.</summary>
internal sealed record FoundMatch(long MatchId, ExpectedMatch Pair, string? Band);

/// <summary>An alert row of the run's matches, as read back from the hub's <c>alerts</c> table.</summary>
internal sealed record RaisedAlert(long AlertId, long MatchId, string Agency, string Audience, string Kind);

/// <summary>What the records check found: each list empty when nothing was lost or duplicated.</summary>
internal sealed record RecordCheck(int Expected, int Stored, IReadOnlyList<string> Lost, IReadOnlyList<string> Duplicated, IReadOnlyList<string> Unknown)
{
    public bool Passed => Lost.Count == 0 && Duplicated.Count == 0 && Unknown.Count == 0;
}

/// <summary>What the matches check found.</summary>
internal sealed record MatchCheck(int Expected, int Found, IReadOnlyList<ExpectedMatch> Missing, IReadOnlyList<ExpectedMatch> Duplicated,
    IReadOnlyList<FoundMatch> Unexpected)
{
    /// <summary>No expected match missing or found twice. Unexpected ones are reported, not failed (see the README).</summary>
    public bool Passed => Missing.Count == 0 && Duplicated.Count == 0;
}

/// <summary>What the alerts check found.</summary>
internal sealed record AlertCheck(int Raised, int Delivered, IReadOnlyList<string> RaisedTwice, IReadOnlyList<long> Lost,
    IReadOnlyList<string> DeliveredTwice, IReadOnlyList<string> DeliveredUnknown, IReadOnlyList<string> Unalerted)
{
    public bool Passed => RaisedTwice.Count == 0 && Lost.Count == 0 && DeliveredTwice.Count == 0 && DeliveredUnknown.Count == 0
        && Unalerted.Count == 0;
}

/// <summary>
/// The chaos run's bookkeeping, free of the hub: what was published and expected against what the hub stored, matched,
/// raised and delivered. Every list names what went wrong, so that a failed run says which records, pairs or alerts.
/// </summary>
internal static class ChaosLedger
{
    /// <summary>Every published record stored once, and nothing else stored under the run's agencies.</summary>
    public static RecordCheck CheckRecords(ChaosPopulation population, IEnumerable<StoredRecord> stored)
    {
        var expected = population.Records.Values.SelectMany(r => r).Select(r => Key(r.Agency, r.LocalId)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicated = new List<string>();
        var unknown = new List<string>();
        var rows = 0;
        foreach (var record in stored)
        {
            var key = Key(record.Agency, record.LocalId);
            rows += record.Rows;
            // Added first: a key stored twice is duplicated, not lost.
            var first = seen.Add(key);
            if (record.Rows > 1 || !first)
            {
                duplicated.Add(key);
            }
            if (!expected.Contains(key))
            {
                unknown.Add(key);
            }
        }
        var lost = expected.Where(k => !seen.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return new RecordCheck(expected.Count, rows, lost, duplicated, unknown);
    }

    /// <summary>Every expected pair matched once; any other match of the run's agencies listed as unexpected.</summary>
    public static MatchCheck CheckMatches(IReadOnlyList<ExpectedMatch> expected, IReadOnlyList<FoundMatch> found)
    {
        var wanted = expected.ToHashSet();
        var counts = new Dictionary<ExpectedMatch, int>();
        var unexpected = new List<FoundMatch>();
        foreach (var match in found)
        {
            if (wanted.Contains(match.Pair))
            {
                counts[match.Pair] = counts.GetValueOrDefault(match.Pair) + 1;
            }
            else
            {
                unexpected.Add(match);
            }
        }
        return new MatchCheck(expected.Count, found.Count,
            expected.Where(e => !counts.ContainsKey(e)).ToList(),
            counts.Where(c => c.Value > 1).Select(c => c.Key).ToList(),
            unexpected);
    }

    /// <summary>
    /// One alert per (match, agency, audience, kind); every raised alert delivered once (by its id in the drained
    /// files, one list of ids per agency, in the order drained); nothing delivered that the table does not hold; and
    /// each expected match alerted to both of its agencies.
    /// </summary>
    public static AlertCheck CheckAlerts(IReadOnlyList<RaisedAlert> raised, IEnumerable<string> delivered,
        IReadOnlyList<FoundMatch> expectedFound)
    {
        var raisedTwice = raised.GroupBy(a => (a.MatchId, a.Agency, a.Audience, a.Kind)).Where(g => g.Count() > 1)
            .Select(g => $"match {g.Key.MatchId} {g.Key.Agency} {g.Key.Audience} {g.Key.Kind}: alerts {string.Join(", ", g.Select(a => a.AlertId))}")
            .ToList();
        var ids = raised.Select(a => a.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var deliveredCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        foreach (var id in delivered)
        {
            deliveredCounts[id] = deliveredCounts.GetValueOrDefault(id) + 1;
            total++;
        }
        var lost = raised.Where(a => !deliveredCounts.ContainsKey(a.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(a => a.AlertId).ToList();
        var twice = deliveredCounts.Where(d => d.Value > 1).Select(d => $"{d.Key} x{d.Value}").ToList();
        var unknown = deliveredCounts.Keys.Where(id => !ids.Contains(id)).ToList();
        var alerted = raised.Select(a => (a.MatchId, a.Agency)).ToHashSet();
        var unalerted = new List<string>();
        foreach (var match in expectedFound)
        {
            foreach (var agency in new[] { match.Pair.AgencyA, match.Pair.AgencyB })
            {
                if (!alerted.Contains((match.MatchId, agency)))
                {
                    unalerted.Add($"match {match.MatchId} ({match.Pair}) has no alert for {agency}");
                }
            }
        }
        return new AlertCheck(raised.Count, total, raisedTwice, lost, twice, unknown, unalerted);
    }

    private static string Key(string agency, string localId) => agency + "/" + localId;
}
