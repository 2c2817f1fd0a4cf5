using System.Globalization;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>estimate --anchored --border F --out params.json [--params START] [--version V] [--policy-prior P]</c>: weights
/// estimated on a hub's own population without labels, the way Splink does it. The <c>person_id</c> column is never
/// read.
/// <list type="number">
/// <item>u from random pairs of records of different agencies (non-matches but for about one in the number of
/// records).</item>
/// <item>m by EM with u fixed, on training pairs chosen by a rule on one field, that field left out of the EM (its
/// agreement is what chose the pairs): pairs with the same full birth date train the names, sex, phone and address;
/// pairs with the same full name (given and surname words) train the birth date. Among pairs that share a birth
/// date, the non-matches are birth-date collisions, as random as any other pair on the other fields, so the fixed u
/// holds for them; over blocked pairs it does not (they agree on the names they were blocked on), and EM there
/// settles on another latent class.</item>
/// </list>
/// Levels the training pairs barely show keep their starting weight (EM's minimum support); caps and thresholds come
/// from the starting file and the policy prior.
/// </summary>
internal static class EstimateAnchored
{
    public static int Run(Args args)
    {
        var engine = Lab.Engine(args);
        var file = args.Required("border");
        var records = Border.Records(engine, Border.ReadCsv(file), readTruth: false);
        var random = new Random(args.Int("seed", 1));
        var sampleSize = args.Int("random-pairs", 200_000);
        var sample = new List<ComparisonVector>(sampleSize);
        while (sample.Count < sampleSize)
        {
            var a = random.Next(records.Count);
            var b = random.Next(records.Count);
            if (records[a].Agency != records[b].Agency)
            {
                sample.Add(engine.Comparer.Compare(records[a].Evidence, records[b].Evidence));
            }
        }

        var withU = EmEstimator.EstimateU(sample, engine.Parameters);
        var byDate = PairsSharing(records, record => record.Evidence.BirthDate is { IsFull: true } date ? date.ToString() : null);
        var byName = PairsSharing(records, record => record.Evidence.Names is [{ IsAlias: false } name, ..] && !name.Given.IsEmpty && !name.Surname.IsEmpty
            ? $"{name.Given.Joined}|{name.Surname.Joined}" : null);
        var prior = args.Double("initial-prior", 0.5);
        var names = EmEstimator.Estimate(Masked(engine, records, byDate, MatchField.BirthDate), withU, prior, fixU: true);
        var dates = EmEstimator.Estimate(Masked(engine, records, byName, MatchField.GivenName, MatchField.Surname), withU, prior, fixU: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(file)}: {records.Count} records, {sample.Count} random pairs (u); {byDate.Count} pairs sharing a full birth date (names, sex, phone, address: match share {names.MatchPrior:F3}, {names.Iterations} iterations, converged {names.Converged}); {byName.Count} sharing a full name (birth date: match share {dates.MatchPrior:F3}, converged {dates.Converged})"));

        var nameSupport = Support(Masked(engine, records, byDate, MatchField.BirthDate), names);
        var dateSupport = Support(Masked(engine, records, byName, MatchField.GivenName, MatchField.Surname), dates);
        var minSupport = args.Int("min-support", 20);
        var kept = new List<string>();
        IReadOnlyDictionary<MatchField, IReadOnlyDictionary<AgreementLevel, LevelProbabilities>> fields = Levels.Fields.ToDictionary(
            field => field,
            field => (IReadOnlyDictionary<AgreementLevel, LevelProbabilities>)Levels.Of(field).ToDictionary(level => level, level =>
            {
                var (estimate, support) = field switch
                {
                    MatchField.BirthDate => (dates.Parameters.Fields[field][level], dateSupport[(int)field][(int)level]),
                    MatchField.Identifier => (engine.Parameters.Fields[field][level], 0),
                    _ => (names.Parameters.Fields[field][level], nameSupport[(int)field][(int)level]),
                };
                if (field != MatchField.Identifier && support < minSupport)
                {
                    // Too few matched pairs show the level to say what it weighs: the starting file's m and u (its weight) stay.
                    kept.Add($"{field}.{level}");
                    return engine.Parameters.Fields[field][level];
                }

                return estimate;
            }));
        Console.WriteLine($"kept from the starting file (fewer than {minSupport} expected matched pairs): {string.Join(", ", kept)}");
        // About one random pair in 8,000 of this set is a true match, and they agree on everything: their share of the
        // random pairs' agreements is taken back by EM over the random pairs with m fixed (u and λ re-estimated).
        var (cleanU, randomPrior) = UWithoutMatches(sample, fields, withU, kept);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random pairs: estimated match share {randomPrior:G3}"));
        fields = cleanU;
        var policyPrior = args.Double("policy-prior", 0.001);
        var priorOdds = Math.Log2(policyPrior / (1 - policyPrior));
        var parameters = engine.Parameters with
        {
            Version = args.Optional("version") ?? $"anchored-{DateTime.UtcNow:yyyyMMdd}",
            Description = "Fellegi-Sunter weights estimated on the hub's own population without labels (u from random pairs, m by EM with u fixed on pairs sharing a birth date or a full name); identifier levels, caps and term-frequency bounds from the starting file.",
            Fields = fields,
            Thresholds = new BandThresholds(Math.Round(Math.Log2(99) - priorOdds, 1), Math.Round(Math.Log2(1 / 99.0) - priorOdds, 1)),
            Provenance = new ParameterProvenance
            {
                Method = "em-anchored",
                Data = Path.GetFileName(file),
                Pairs = byDate.Count + byName.Count,
                Iterations = names.Iterations + dates.Iterations,
                MatchPrior = names.MatchPrior,
                Notes = string.Create(CultureInfo.InvariantCulture,
                    $"u from {sample.Count} random cross-agency pairs; m by EM (u fixed) on {byDate.Count} cross-agency pairs sharing a full birth date (names, sex, phone, address) and {byName.Count} sharing a full name (birth date); starting file {engine.Parameters.Version}; thresholds at posterior 0.99 and 0.01 under a policy prior of {policyPrior:G3} per candidate pair. No truth was read."),
            },
        };
        parameters.Validate();
        File.WriteAllText(args.Required("out"), parameters.ToJson() + Environment.NewLine);
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

    // Expected matched pairs at each level under the estimate: Σ P(match | vector) over the pairs showing it.
    private static double[][] Support(IEnumerable<ComparisonVector> vectors, EmResult result)
    {
        var levelCount = Enum.GetValues<AgreementLevel>().Length;
        var support = Levels.Fields.Select(_ => new double[levelCount]).ToArray();
        var fields = result.Parameters.Fields;
        foreach (var vector in vectors)
        {
            var levels = vector.Levels;
            double logM = Math.Log(result.MatchPrior), logU = Math.Log(1 - result.MatchPrior);
            for (var f = 0; f < levels.Length; f++)
            {
                if (levels[f] != AgreementLevel.Missing)
                {
                    var probabilities = fields[(MatchField)f][levels[f]];
                    logM += Math.Log(probabilities.M);
                    logU += Math.Log(probabilities.U);
                }
            }

            var posterior = 1 / (1 + Math.Exp(logU - logM));
            for (var f = 0; f < levels.Length; f++)
            {
                support[f][(int)levels[f]] += posterior;
            }
        }

        return support;
    }

    // Fellegi–Sunter EM over the random pairs with m held: only u and the match share move.
    private static (IReadOnlyDictionary<MatchField, IReadOnlyDictionary<AgreementLevel, LevelProbabilities>> Fields, double Prior) UWithoutMatches(
        List<ComparisonVector> sample, IReadOnlyDictionary<MatchField, IReadOnlyDictionary<AgreementLevel, LevelProbabilities>> fields, MatchParameters withU, List<string> kept)
    {
        var levelCount = Enum.GetValues<AgreementLevel>().Length;
        var u = Levels.Fields.Select(field => Enumerable.Range(0, levelCount).Select(level =>
            fields[field].TryGetValue((AgreementLevel)level, out var p) ? p.U : 0).ToArray()).ToArray();
        var m = Levels.Fields.Select(field => Enumerable.Range(0, levelCount).Select(level =>
            fields[field].TryGetValue((AgreementLevel)level, out var p) ? p.M : 0).ToArray()).ToArray();
        var lambda = 1e-4;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var counts = u.Select(row => row.Select(value => value > 0 ? 1e-3 * value : 0).ToArray()).ToArray();
            var matches = 0.0;
            foreach (var vector in sample)
            {
                var levels = vector.Levels;
                double logM = Math.Log(lambda), logU = Math.Log(1 - lambda);
                for (var f = 0; f < levels.Length; f++)
                {
                    if (levels[f] != AgreementLevel.Missing)
                    {
                        logM += Math.Log(m[f][(int)levels[f]]);
                        logU += Math.Log(u[f][(int)levels[f]]);
                    }
                }

                var posterior = 1 / (1 + Math.Exp(logU - logM));
                matches += posterior;
                for (var f = 0; f < levels.Length; f++)
                {
                    if (levels[f] != AgreementLevel.Missing)
                    {
                        counts[f][(int)levels[f]] += 1 - posterior;
                    }
                }
            }

            lambda = Math.Clamp(matches / sample.Count, 1e-9, 0.5);
            for (var f = 0; f < counts.Length; f++)
            {
                var sum = counts[f].Sum();
                for (var l = 0; l < levelCount; l++)
                {
                    u[f][l] = counts[f][l] > 0 ? Math.Clamp(counts[f][l] / sum, 1e-9, 0.999999) : 0;
                }
            }
        }

        var result = Levels.Fields.ToDictionary(
            field => field,
            field => (IReadOnlyDictionary<AgreementLevel, LevelProbabilities>)Levels.Of(field).ToDictionary(
                level => level,
                level => field == MatchField.Identifier || kept.Contains($"{field}.{level}") ? fields[field][level] : fields[field][level] with { U = Round(u[(int)field][(int)level]) }));
        return (result, lambda);
    }

    private static double Round(double value) => Math.Min(0.999999, double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    // Pairs of records of different agencies with the same non-null key.
    private static List<(int, int)> PairsSharing(List<LabRecord> records, Func<LabRecord, string?> key)
    {
        var pairs = new List<(int, int)>();
        foreach (var group in records.Select(record => (record, key: key(record))).Where(item => item.key is not null).GroupBy(item => item.key, StringComparer.Ordinal))
        {
            var members = group.Select(item => item.record).ToArray();
            for (var x = 0; x < members.Length; x++)
            {
                for (var y = x + 1; y < members.Length; y++)
                {
                    if (members[x].Agency != members[y].Agency)
                    {
                        pairs.Add((members[x].Index, members[y].Index));
                    }
                }
            }
        }

        return pairs;
    }

    // The pairs' vectors with the fields that chose them set to Missing: EM learns nothing from them.
    private static IEnumerable<ComparisonVector> Masked(MatchingEngine engine, List<LabRecord> records, List<(int, int)> pairs, params MatchField[] chosenBy)
    {
        foreach (var (a, b) in pairs)
        {
            var vector = engine.Comparer.Compare(records[a].Evidence, records[b].Evidence);
            var levels = vector.Levels.ToArray();
            foreach (var field in chosenBy)
            {
                levels[(int)field] = AgreementLevel.Missing;
            }

            yield return new ComparisonVector(levels, vector.NamesSwapped, vector.ViaAlias);
        }
    }
}
