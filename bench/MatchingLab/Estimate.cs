using System.Globalization;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>estimate --file F [--file G] [--border B] --out params.json [--params START] [--version V] [--match T --possible T]</c>:
/// runs EM on every pair of records that share a blocking key (no truth is read) and writes a parameter file.
/// Without explicit thresholds, they are derived from EM's estimated prior: Match where the posterior
/// probability of a match reaches 0.99, Possible where it reaches 0.01.
/// </summary>
internal static class Estimate
{
    public static int Run(Args args)
    {
        var engine = Lab.Engine(args);
        var files = args.All("file");
        var borderFiles = args.All("border");
        if (files.Count == 0 && borderFiles.Count == 0)
        {
            throw new ArgumentException("--file or --border is required");
        }

        var weighted = new List<(ComparisonVector Vector, double Weight)>();
        var random = new Random(args.Int("seed", 1));
        var sampleSize = args.Int("random-pairs", 200_000);
        long blockedTotal = 0, sampledTotal = 0;
        // FEBRL: one population, every pair. The border set: the hub's own population, as the hub compares it (pairs of
        // different agencies, blocked with its key caps), read without its person_id column.
        var sources = files.Select(file => (file, (IReadOnlyList<LabRecord>)Candidates.Build(engine, FebrlFile.Read(file), agencies: 1, seed: 0), false))
            .Concat(borderFiles.Select(file => (file, (IReadOnlyList<LabRecord>)Border.Records(engine, Border.ReadCsv(file), readTruth: false), true)));
        foreach (var (file, records, crossAgency) in sources)
        {
            var pairs = crossAgency
                ? Candidates.Pairs(records, crossAgencyOnly: true, Border.AllowedKeys(records).Contains)
                : Candidates.Pairs(records, crossAgencyOnly: false);
            foreach (var (a, b) in pairs)
            {
                weighted.Add((engine.Comparer.Compare(records[a].Evidence, records[b].Evidence), 1.0));
            }

            // The pairs blocking did not produce, represented by a uniform random sample of them.
            var allPairs = crossAgency ? CrossAgencyPairs(records) : (long)records.Count * (records.Count - 1) / 2;
            var sample = new List<ComparisonVector>(sampleSize);
            while (sample.Count < sampleSize)
            {
                var a = random.Next(records.Count);
                var b = random.Next(records.Count);
                if (a == b || (crossAgency && records[a].Agency == records[b].Agency) || pairs.Contains(a < b ? (a, b) : (b, a)))
                {
                    continue;
                }

                sample.Add(engine.Comparer.Compare(records[a].Evidence, records[b].Evidence));
            }

            var weight = (allPairs - pairs.Count) / (double)sample.Count;
            weighted.AddRange(sample.Select(vector => (vector, weight)));
            blockedTotal += pairs.Count;
            sampledTotal += sample.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(file)}: {records.Count} records, {pairs.Count} blocked pairs, {sample.Count} sampled of the other {allPairs - pairs.Count} (weight {weight:F1})"));
        }

        var result = EmEstimator.Estimate(weighted, engine.Parameters, args.Double("initial-prior", 1e-4));
        // Thresholds from a policy prior rather than the file's own duplicate rate: a candidate pair is assumed to
        // be a true match with probability --policy-prior (default 1 %), far below FEBRL's, so the bands stay
        // conservative where agencies overlap less.
        var policyPrior = args.Double("policy-prior", 0.01);
        var priorOdds = Math.Log2(policyPrior / (1 - policyPrior));
        var matchThreshold = args.Optional("match") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : Math.Round(Math.Log2(99) - priorOdds, 1);
        var possibleThreshold = args.Optional("possible") is { } p ? double.Parse(p, CultureInfo.InvariantCulture) : Math.Round(Math.Log2(1 / 99.0) - priorOdds, 1);
        var version = args.Optional("version") ?? $"em-{DateTime.UtcNow:yyyyMMdd}";
        var parameters = result.Parameters with
        {
            Version = version,
            Description = args.Optional("description") ?? result.Parameters.Description,
            Thresholds = new BandThresholds(matchThreshold, possibleThreshold),
            Provenance = result.Parameters.Provenance with
            {
                Data = string.Join(", ", files.Concat(borderFiles).Select(Path.GetFileName)),
                Notes = string.Create(CultureInfo.InvariantCulture,
                    $"EM over the whole pair space: {blockedTotal} blocked pairs at weight 1 and {sampledTotal} random other pairs weighted up to the rest (estimated prior {result.MatchPrior:G4}); thresholds at posterior 0.99 (match) and 0.01 (possible) under a policy prior of {policyPrior:G3} per candidate pair. No truth was read."),
            },
        };
        parameters.Validate();
        File.WriteAllText(args.Required("out"), parameters.ToJson() + Environment.NewLine);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"EM: {result.Parameters.Provenance.Pairs} pairs represented, {result.Iterations} iterations, converged {result.Converged}, match prior {result.MatchPrior:G4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"thresholds: match {matchThreshold}, possible {possibleThreshold}"));
        foreach (var field in Levels.Fields)
        {
            var levels = Levels.Of(field).Select(level =>
            {
                var probabilities = parameters.Fields[field][level];
                return string.Create(CultureInfo.InvariantCulture, $"{level} {probabilities.Weight:+0.0;-0.0} (m {probabilities.M:G3}, u {probabilities.U:G3})");
            });
            Console.WriteLine($"  {field}: {string.Join("; ", levels)}");
        }

        return 0;
    }

    private static long CrossAgencyPairs(IReadOnlyList<LabRecord> records)
    {
        var all = (long)records.Count * (records.Count - 1) / 2;
        return all - records.GroupBy(record => record.Agency).Sum(group => (long)group.Count() * (group.Count() - 1) / 2);
    }
}
