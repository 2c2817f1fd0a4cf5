using System.Globalization;
using System.Text;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>border --file border.csv [--background OTHER.csv] [--full-names] [--params P] [--show-errors N] [--dump PAIRS.tsv] [--no-frequencies]</c>: the border set (bench/border) offline,
/// split by its agency column, each person with its phone and address as evidence, blocked with the hub's key caps
/// (a coarse <c>n:</c> block over 100 records and any block over 1,000 are skipped, as the hub skips them). A quick
/// loop for the engine; the figures that count come from <c>./hub evaluate --border</c> (the real path).
/// <c>--background</c> adds another population of the generator as the rest of the hub, as <c>./hub evaluate --border
/// --background</c> does: the name counts and the block sizes are then the whole hub's, and a pair of a set record with
/// a background record is a candidate and, when scored at a band, a false pair (the truth keeps them apart).
/// <c>--full-names</c> also counts full names (<see cref="MatchingEngine.FullNameComponents"/>), which the scorer then
/// uses to weigh agreeing names by how often the full name itself occurs (ADR-004, "On a full hub").
/// </summary>
internal static class Border
{
    public static int Run(Args args)
    {
        var engine = Lab.Engine(args);
        var rows = ReadCsv(args.Required("file"));
        var records = Records(engine, rows, readTruth: true);
        var measured = records.Count;
        if (args.Optional("background") is { } background)
        {
            var others = ReadCsv(background);
            // Other agencies and other people: the background's truth and agency never equal the set's.
            records.AddRange(Records(engine, others, readTruth: true).Select(r => r with
            {
                Index = r.Index + measured, RecId = "bg:" + r.RecId, Truth = "bg:" + r.Truth, Agency = r.Agency + 1000,
            }));
            rows.AddRange(others);
        }

        var frequencies = args.Flag("no-frequencies") ? null : NameFrequencyCounts(engine, records, args.Flag("full-names"));
        var truth = Candidates.TruePairs(records.Take(measured).ToList(), crossAgencyOnly: true);
        var allowed = AllowedKeys(records);
        var candidates = Candidates.Pairs(records, crossAgencyOnly: true, allowed.Contains, involves: i => i < measured);
        var results = new Dictionary<(int, int), PersonMatchResult>(candidates.Count);
        foreach (var pair in candidates)
        {
            results[pair] = engine.ScorePersons(records[pair.Item1].Evidence, records[pair.Item2].Evidence, frequencies);
        }

        var match = Metrics.Of(results.Where(r => r.Value.Band == MatchBand.Match).Select(r => r.Key), truth);
        var loose = Metrics.Of(results.Where(r => r.Value.Band != MatchBand.None).Select(r => r.Key), truth);
        var found = candidates.Count(truth.Contains);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"records {records.Count}, true cross-agency pairs {truth.Count}, candidates {candidates.Count}, blocking recall {found / (double)truth.Count:F4}"));
        Console.WriteLine($"counts: match TP {match.TruePositives} FP {match.FalsePositives} FN {match.FalseNegatives}; match+possible TP {loose.TruePositives} FP {loose.FalsePositives} FN {loose.FalseNegatives}");
        Console.WriteLine($"match: {match}");
        Console.WriteLine($"match+possible: {loose}");
        if (records.Count > measured)
        {
            var withBackground = results.Where(r => r.Key.Item2 >= measured && r.Value.Band != MatchBand.None).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"background: {records.Count - measured} records; false pairs with a background record: match {withBackground.Count(r => r.Value.Band == MatchBand.Match)}, match+possible {withBackground.Count}"));
        }
        if (args.Optional("dump") is { } dump)
        {
            Dump(dump, rows, records, results, truth);
        }

        if (args.Int("show-errors", 0) is > 0 and var limit)
        {
            Evaluate.ShowErrors(records, results, truth, candidates, limit);
        }

        return 0;
    }

    /// <summary>
    /// One line per candidate pair scored at Possible or better, and per true pair (tab-separated: truth, band, score,
    /// vector, the two records' ids and their names and dates as written), for working out by hand where the model
    /// goes wrong. Synthetic data only.
    /// </summary>
    private static void Dump(string path, List<Dictionary<string, string>> rows, List<LabRecord> records,
        Dictionary<(int, int), PersonMatchResult> results, HashSet<(int, int)> truth)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine("same\tband\tscore\tvector\ta\tb\tname_a\tname_b\tdob_a\tdob_b\texplanation");
        foreach (var pair in results.Keys.Union(truth))
        {
            var found = results.TryGetValue(pair, out var result);
            if (found && result!.Band == MatchBand.None && !truth.Contains(pair))
            {
                continue;
            }

            var (a, b) = (rows[pair.Item1], rows[pair.Item2]);
            var explanation = found ? string.Join("; ", result!.Explanation.Fields.Where(f => f.Level != AgreementLevel.Missing)) : "not a candidate";
            writer.WriteLine(string.Join('\t', truth.Contains(pair) ? "1" : "0", found ? result!.Band.ToString() : "-",
                found ? result!.Score.ToString("F2", CultureInfo.InvariantCulture) : "", found ? result!.Vector.ToString() : "",
                records[pair.Item1].RecId, records[pair.Item2].RecId, $"{a["given_name"]} | {a["surname"]}", $"{b["given_name"]} | {b["surname"]}",
                a["birth_date"], b["birth_date"], explanation));
        }
    }

    /// <summary>
    /// The border set's rows as the hub would hold them, split by their agency column. Without
    /// <paramref name="readTruth"/> the <c>person_id</c> column is never read (each record is its own truth key), so an
    /// estimation over these records cannot see the labels.
    /// </summary>
    internal static List<LabRecord> Records(MatchingEngine engine, List<Dictionary<string, string>> rows, bool readTruth)
    {
        var agencies = new Dictionary<string, int>(StringComparer.Ordinal);
        var records = new List<LabRecord>(rows.Count);
        foreach (var row in rows)
        {
            if (!agencies.TryGetValue(row["agency"], out var agency))
            {
                agency = agencies.Count;
                agencies[row["agency"]] = agency;
            }

            var person = new PersonInput(row["given_name"], row["surname"], BirthDate: row["birth_date"], Sex: row["sex"]);
            PhoneInput[] phones = row["phone"].Length > 0 ? [new PhoneInput(row["phone"])] : [];
            PlaceInput[] places = row["address"].Length > 0 ? [new PlaceInput(row["address"])] : [];
            var evidence = engine.BuildPersonEvidence(person, phones, places);
            var index = records.Count;
            var truth = readTruth ? row["person_id"] : index.ToString(CultureInfo.InvariantCulture);
            records.Add(new LabRecord(index, readTruth ? $"{row["person_id"]}/{row["agency"]}" : $"{index}/{row["agency"]}", truth, agency, evidence, engine.PersonKeys(evidence)));
        }

        return records;
    }

    /// <summary>Name frequencies counted over all the records, as the hub counts its stored ones.</summary>
    internal static NameFrequencies NameFrequencyCounts(MatchingEngine engine, IReadOnlyList<LabRecord> records, bool fullNames = false)
    {
        var counts = new NameFrequencyCounter();
        foreach (var record in records)
        {
            counts.Add(engine.NameComponents(record.Evidence), 1);
            if (fullNames)
            {
                counts.Add(engine.FullNameComponents(record.Evidence), 1);
            }
        }

        return counts.Snapshot();
    }

    internal static HashSet<string> AllowedKeys(IReadOnlyList<LabRecord> records)
    {
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in records.SelectMany(record => record.Keys))
        {
            sizes[key] = sizes.GetValueOrDefault(key) + 1;
        }

        return sizes.Where(size => size.Value <= (size.Key.StartsWith("n:", StringComparison.Ordinal) ? 101 : 1001)).Select(size => size.Key).ToHashSet(StringComparer.Ordinal);
    }

    internal static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        var header = Split(lines[0]);
        var rows = new List<Dictionary<string, string>>(lines.Length);
        foreach (var line in lines.Skip(1).Where(line => line.Length > 0))
        {
            var cells = Split(line);
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                row[header[i]] = i < cells.Count ? cells[i] : string.Empty;
            }

            rows.Add(row);
        }

        return rows;
    }

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
