using System.Text.RegularExpressions;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// The shipped model was estimated on FEBRL's Australian names. This checks it on people it has never seen:
/// synthetic Hispanic records (<c>MatchingLab synth</c>) with double surnames, families sharing surnames and
/// addresses, and duplicates with dropped second surnames, hyphenated or run-together surnames, nicknames, initials,
/// lost diacritics, swapped fields, typos and transposed or partial birth dates.
/// <list type="bullet">
/// <item><c>Fixtures/hispanic-synthetic.csv</c> (<c>--count 400 --seed 2026</c>) is the set the bounds were set on,
/// a little under what the model reaches there (match F1 about 0.98), so a regression in any rule shows.</item>
/// <item><c>Fixtures/hispanic-heldout.csv</c> (<c>--count 400 --seed 8675309</c>) was drawn after the bounds were
/// fixed and never used to tune a rule, a weight or a bound: the same bounds must hold on it, so they are not an
/// artefact of the one sample they were read from.</item>
/// </list>
/// </summary>
public sealed partial class HispanicGeneralizationTests
{
    [Theory]
    [InlineData("hispanic-synthetic.csv")]
    [InlineData("hispanic-heldout.csv")]
    public void ScorePersons_SyntheticHispanicRecordsSplitAcrossTwoAgencies_MatchPrecisionAndRecallHold(string fixture)
    {
        var engine = MatchingEngine.CreateDefault();
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)).Skip(1)
            .Select(line => line.Split(',').Select(cell => cell.Trim()).ToArray()).ToArray();
        var records = rows.Select((cells, index) =>
        {
            var evidence = engine.BuildPersonEvidence(
                new PersonInput(cells[1], cells[2], BirthDate: cells[9], Identifiers: cells[10].Length > 0 ? [new IdentifierInput("ssn", cells[10])] : null),
                places: [new PlaceInput($"{cells[3]} {cells[4]}, {cells[6]}, {cells[7]} {cells[8]}")]);
            return (Truth: TruthKey().Match(cells[0]).Groups[1].Value, Agency: index % 2, Evidence: evidence, Keys: engine.PersonKeys(evidence));
        }).ToArray();

        var candidates = new HashSet<(int, int)>();
        foreach (var block in records.SelectMany((record, index) => record.Keys.Select(key => (key, index))).GroupBy(pair => pair.key))
        {
            var members = block.Select(pair => pair.index).ToArray();
            for (var x = 0; x < members.Length; x++)
            {
                for (var y = x + 1; y < members.Length; y++)
                {
                    if (records[members[x]].Agency != records[members[y]].Agency)
                    {
                        candidates.Add((Math.Min(members[x], members[y]), Math.Max(members[x], members[y])));
                    }
                }
            }
        }

        var truePairs = new HashSet<(int, int)>();
        for (var x = 0; x < records.Length; x++)
        {
            for (var y = x + 1; y < records.Length; y++)
            {
                if (records[x].Truth == records[y].Truth && records[x].Agency != records[y].Agency)
                {
                    truePairs.Add((x, y));
                }
            }
        }

        var predicted = candidates.Where(pair => engine.ScorePersons(records[pair.Item1].Evidence, records[pair.Item2].Evidence).Band == MatchBand.Match).ToList();
        var truePositives = predicted.Count(truePairs.Contains);
        var precision = truePositives / (double)predicted.Count;
        var recall = truePositives / (double)truePairs.Count;
        var blockingRecall = truePairs.Count(candidates.Contains) / (double)truePairs.Count;

        Assert.True(truePairs.Count > 200, $"fixture has only {truePairs.Count} cross-agency pairs");
        Assert.True(blockingRecall >= 0.99, $"blocking recall {blockingRecall:F4}");
        Assert.True(precision >= 0.95, $"match precision {precision:F4}");
        Assert.True(recall >= 0.95, $"match recall {recall:F4}");
    }

    [GeneratedRegex(@"rec-(\d+)")]
    private static partial Regex TruthKey();
}
