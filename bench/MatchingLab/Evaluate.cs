using System.Diagnostics;
using System.Globalization;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>evaluate --file F [--file G] --agencies K [--seed S | --seeds 1,2,3] [--params P] [--show-errors N] [--key-report]</c>:
/// splits the records across K agencies at random, blocks, scores cross-agency candidates with the engine the hub
/// uses, and compares with the truth taken from rec_id.
/// </summary>
internal static class Evaluate
{
    public static int Run(Args args)
    {
        var engine = Lab.Engine(args);
        var agencies = args.Int("agencies", 3);
        var showErrors = args.Int("show-errors", 0);
        var summary = new List<string>();
        foreach (var file in args.All("file"))
        {
            var rows = FebrlFile.Read(file);
            foreach (var seed in args.Ints("seeds", args.Int("seed", 1)))
            {
                summary.Add(RunOnce(engine, file, rows, agencies, seed, showErrors, args.Flag("key-report"), args.Flag("no-frequencies")));
            }
        }

        Console.WriteLine();
        Console.WriteLine("summary (file, seed, blocking recall, candidates, match P/R/F1, match+possible P/R/F1):");
        foreach (var line in summary)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static string RunOnce(MatchingEngine engine, string file, IReadOnlyList<FebrlRow> rows, int agencies, int seed, int showErrors, bool keyReport, bool noFrequencies)
    {
        var clock = Stopwatch.StartNew();
        var records = Candidates.Build(engine, rows, agencies, seed);
        var truth = Candidates.TruePairs(records, crossAgencyOnly: true);
        var candidates = Candidates.Pairs(records, crossAgencyOnly: true);
        var blockingTime = clock.Elapsed;

        var found = candidates.Count(truth.Contains);
        var frequencies = noFrequencies ? null : Border.NameFrequencyCounts(engine, records);
        var results = new Dictionary<(int, int), PersonMatchResult>(candidates.Count);
        foreach (var pair in candidates)
        {
            results[pair] = engine.ScorePersons(records[pair.Item1].Evidence, records[pair.Item2].Evidence, frequencies);
        }

        var elapsed = clock.Elapsed;
        var match = Metrics.Of(results.Where(result => result.Value.Band == MatchBand.Match).Select(result => result.Key), truth);
        var loose = Metrics.Of(results.Where(result => result.Value.Band != MatchBand.None).Select(result => result.Key), truth);
        var totalPairs = (long)records.Count * (records.Count - 1) / 2;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {Path.GetFileName(file)}  seed {seed}  agencies {agencies}  parameters {engine.Parameters.Version}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"records {records.Count}, true cross-agency pairs {truth.Count}, candidates {candidates.Count} ({candidates.Count / (double)records.Count:F1} per record, reduction {1 - (candidates.Count / (double)totalPairs):P3})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"blocking recall {found / (double)truth.Count:F4} ({truth.Count - found} true pairs share no key); keys per record {records.Average(r => r.Keys.Count):F1}; blocking {blockingTime.TotalMilliseconds:F0} ms, scoring {(elapsed - blockingTime).TotalMilliseconds:F0} ms"));
        Console.WriteLine($"counts: match TP {match.TruePositives} FP {match.FalsePositives} FN {match.FalseNegatives}; match+possible TP {loose.TruePositives} FP {loose.FalsePositives} FN {loose.FalseNegatives}");
        Console.WriteLine($"match: {match}");
        Console.WriteLine($"match+possible: {loose}");

        if (keyReport)
        {
            KeyReport(records, truth);
        }

        if (showErrors > 0)
        {
            ShowErrors(records, results, truth, candidates, showErrors);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(file),-12} seed {seed,3}  blocking {found / (double)truth.Count:F4}  candidates {candidates.Count,7}  match P {match.Precision:F4} R {match.Recall:F4} F1 {match.F1:F4}  m+p P {loose.Precision:F4} R {loose.Recall:F4} F1 {loose.F1:F4}");
    }

    private static void KeyReport(IReadOnlyList<LabRecord> records, HashSet<(int, int)> truth)
    {
        var kinds = records.SelectMany(record => record.Keys).Select(Candidates.KindOf).Distinct().Order(StringComparer.Ordinal).ToArray();
        var perKind = kinds.ToDictionary(kind => kind, kind => Candidates.Pairs(records, true, key => Candidates.KindOf(key) == kind), StringComparer.Ordinal);
        Console.WriteLine("key kind   candidates   true found   recall alone   only this kind");
        foreach (var kind in kinds)
        {
            var pairs = perKind[kind];
            var trueFound = pairs.Count(truth.Contains);
            var only = pairs.Count(pair => truth.Contains(pair) && perKind.Where(other => other.Key != kind).All(other => !other.Value.Contains(pair)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-8} {pairs.Count,12} {trueFound,12} {trueFound / (double)truth.Count,14:F4} {only,16}"));
        }
    }

    internal static void ShowErrors(IReadOnlyList<LabRecord> records, Dictionary<(int, int), PersonMatchResult> results, HashSet<(int, int)> truth, HashSet<(int, int)> candidates, int limit)
    {
        Console.WriteLine("-- false positives (Match band, different people):");
        foreach (var (pair, result) in results.Where(r => r.Value.Band == MatchBand.Match && !truth.Contains(r.Key)).OrderByDescending(r => r.Value.Score).Take(limit))
        {
            Print(records, pair, result);
        }

        Console.WriteLine("-- false negatives (same person, not Match):");
        foreach (var (pair, result) in results.Where(r => r.Value.Band != MatchBand.Match && truth.Contains(r.Key)).OrderBy(r => r.Value.Score).Take(limit))
        {
            Print(records, pair, result);
        }

        Console.WriteLine("-- true pairs without a shared key:");
        foreach (var pair in truth.Where(pair => !candidates.Contains(pair)).Take(limit))
        {
            Console.WriteLine($"   {records[pair.Item1].RecId} | {string.Join(' ', records[pair.Item1].Keys)}");
            Console.WriteLine($"   {records[pair.Item2].RecId} | {string.Join(' ', records[pair.Item2].Keys)}");
        }
    }

    private static void Print(IReadOnlyList<LabRecord> records, (int, int) pair, PersonMatchResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {records[pair.Item1].RecId} ~ {records[pair.Item2].RecId}: {result.Score:F1} {result.Band}"));
        Console.WriteLine($"     {Lab.Describe(records[pair.Item1].Evidence)}");
        Console.WriteLine($"     {Lab.Describe(records[pair.Item2].Evidence)}");
        Console.WriteLine($"     {string.Join("; ", result.Explanation.Fields.Where(f => f.Level != AgreementLevel.Missing))}");
    }
}

/// <summary>Precision, recall and F1 of a predicted pair set against the truth.</summary>
internal sealed record Metrics(long TruePositives, long FalsePositives, long FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : TruePositives / (double)(TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : TruePositives / (double)(TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static Metrics Of(IEnumerable<(int, int)> predicted, HashSet<(int, int)> truth)
    {
        long tp = 0, fp = 0;
        foreach (var pair in predicted)
        {
            if (truth.Contains(pair))
            {
                tp++;
            }
            else
            {
                fp++;
            }
        }

        return new Metrics(tp, fp, truth.Count - tp);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"precision {Precision:F4} recall {Recall:F4} f1 {F1:F4}");
}
