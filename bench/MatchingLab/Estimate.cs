using System.Globalization;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>estimate --file F [--file G] --out params.json [--params START] [--version V] [--match T --possible T]</c>:
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
        if (files.Count == 0)
        {
            throw new ArgumentException("--file is required");
        }

        var vectors = new List<ComparisonVector>();
        foreach (var file in files)
        {
            var records = Candidates.Build(engine, FebrlFile.Read(file), agencies: 1, seed: 0);
            var pairs = Candidates.Pairs(records, crossAgencyOnly: false);
            foreach (var (a, b) in pairs)
            {
                vectors.Add(engine.Comparer.Compare(records[a].Evidence, records[b].Evidence));
            }

            Console.WriteLine($"{Path.GetFileName(file)}: {records.Count} records, {pairs.Count} candidate pairs");
        }

        var result = EmEstimator.Estimate(vectors, engine.Parameters, args.Double("initial-prior", 0.1));
        var priorOdds = Math.Log2(result.MatchPrior / (1 - result.MatchPrior));
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
                Data = string.Join(", ", files.Select(Path.GetFileName)),
                Notes = string.Create(CultureInfo.InvariantCulture,
                    $"Unlabelled candidate pairs from the blocking keys; thresholds at posterior 0.99 (match) and 0.01 (possible) under the estimated prior {result.MatchPrior:G4}."),
            },
        };
        parameters.Validate();
        File.WriteAllText(args.Required("out"), parameters.ToJson() + Environment.NewLine);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"EM: {vectors.Count} pairs, {result.Iterations} iterations, converged {result.Converged}, match prior {result.MatchPrior:G4}"));
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
}
