namespace SharingHub.Matching.Scoring;

/// <summary>What an EM run produced: the new parameters and how it went.</summary>
/// <param name="Parameters">The estimated model (thresholds copied from the starting parameters unless set).</param>
/// <param name="MatchPrior">Estimated share of true matches among the pairs (λ).</param>
/// <param name="Iterations">Iterations run.</param>
/// <param name="Converged">True when the largest change fell below the tolerance before the iteration limit.</param>
public sealed record EmResult(MatchParameters Parameters, double MatchPrior, int Iterations, bool Converged);

/// <summary>
/// Expectation–maximisation for the Fellegi–Sunter model (Winkler 1988): from unlabelled candidate pairs it
/// estimates, per field and level, m = P(level | match) and u = P(level | non-match), under the usual
/// assumption that fields agree independently given the match status. Missing levels carry no information and
/// are skipped. Each level gets a small Dirichlet pseudo-count drawn from the starting parameters, so a level
/// the data never shows (phones in a file without phones) keeps its starting m/u instead of collapsing to 0.
/// </summary>
public static class EmEstimator
{
    /// <summary>Runs EM on <paramref name="vectors"/>, starting from <paramref name="start"/>.</summary>
    /// <param name="vectors">Comparison vectors of candidate pairs (the pairs blocking produces, all of them).</param>
    /// <param name="start">Starting m/u values; also the prior of the pseudo-counts.</param>
    /// <param name="initialMatchPrior">Starting λ.</param>
    /// <param name="pseudoCount">Weight of the prior, in pairs, per field.</param>
    /// <param name="maxIterations">Iteration limit.</param>
    /// <param name="tolerance">Stop when no probability moves by more than this.</param>
    public static EmResult Estimate(
        IEnumerable<ComparisonVector> vectors,
        MatchParameters start,
        double initialMatchPrior = 0.1,
        double pseudoCount = 1.0,
        int maxIterations = 500,
        double tolerance = 1e-7)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(start);
        var fields = Levels.Fields;
        var levelCount = Enum.GetValues<AgreementLevel>().Length;

        // Distinct patterns with counts: the E-step then costs patterns, not pairs.
        var patterns = new Dictionary<string, (AgreementLevel[] Levels, long Count)>(StringComparer.Ordinal);
        foreach (var vector in vectors)
        {
            var levels = vector.Levels.ToArray();
            var key = string.Concat(levels.Select(level => (char)('a' + (int)level)));
            patterns[key] = patterns.TryGetValue(key, out var existing) ? (existing.Levels, existing.Count + 1) : (levels, 1);
        }

        var total = patterns.Values.Sum(pattern => pattern.Count);
        if (total == 0)
        {
            throw new ArgumentException("EM needs at least one pair.", nameof(vectors));
        }

        var m = new double[fields.Count][];
        var u = new double[fields.Count][];
        var priorM = new double[fields.Count][];
        var priorU = new double[fields.Count][];
        foreach (var field in fields)
        {
            var f = (int)field;
            m[f] = new double[levelCount];
            u[f] = new double[levelCount];
            priorM[f] = new double[levelCount];
            priorU[f] = new double[levelCount];
            foreach (var level in Levels.Of(field))
            {
                var probabilities = start.Fields[field][level];
                m[f][(int)level] = priorM[f][(int)level] = probabilities.M;
                u[f][(int)level] = priorU[f][(int)level] = probabilities.U;
            }

            Normalize(priorM[f]);
            Normalize(priorU[f]);
        }

        var lambda = initialMatchPrior;
        var iterations = 0;
        var converged = false;
        var patternList = patterns.Values.ToArray();
        var posterior = new double[patternList.Length];
        while (iterations < maxIterations && !converged)
        {
            iterations++;
            // E-step: posterior probability that each pattern is a match.
            for (var p = 0; p < patternList.Length; p++)
            {
                var logMatch = Math.Log(lambda);
                var logNonMatch = Math.Log(1 - lambda);
                var levels = patternList[p].Levels;
                for (var f = 0; f < levels.Length; f++)
                {
                    if (levels[f] == AgreementLevel.Missing)
                    {
                        continue;
                    }

                    logMatch += Math.Log(m[f][(int)levels[f]]);
                    logNonMatch += Math.Log(u[f][(int)levels[f]]);
                }

                posterior[p] = 1 / (1 + Math.Exp(logNonMatch - logMatch));
            }

            // M-step: re-estimate λ, m and u from the expected counts plus the prior's pseudo-counts.
            var expectedMatches = 0.0;
            var mCounts = new double[fields.Count][];
            var uCounts = new double[fields.Count][];
            for (var f = 0; f < fields.Count; f++)
            {
                mCounts[f] = priorM[f].Select(value => value * pseudoCount).ToArray();
                uCounts[f] = priorU[f].Select(value => value * pseudoCount).ToArray();
            }

            for (var p = 0; p < patternList.Length; p++)
            {
                var (levels, count) = patternList[p];
                var g = posterior[p] * count;
                var h = (1 - posterior[p]) * count;
                expectedMatches += g;
                for (var f = 0; f < levels.Length; f++)
                {
                    if (levels[f] == AgreementLevel.Missing)
                    {
                        continue;
                    }

                    mCounts[f][(int)levels[f]] += g;
                    uCounts[f][(int)levels[f]] += h;
                }
            }

            var change = 0.0;
            for (var f = 0; f < fields.Count; f++)
            {
                Normalize(mCounts[f]);
                Normalize(uCounts[f]);
                foreach (var level in Levels.Of(fields[f]))
                {
                    var l = (int)level;
                    var newM = Math.Clamp(mCounts[f][l], 1e-9, 1 - 1e-9);
                    var newU = Math.Clamp(uCounts[f][l], 1e-9, 1 - 1e-9);
                    change = Math.Max(change, Math.Max(Math.Abs(newM - m[f][l]), Math.Abs(newU - u[f][l])));
                    m[f][l] = newM;
                    u[f][l] = newU;
                }
            }

            var newLambda = Math.Clamp(expectedMatches / total, 1e-9, 1 - 1e-9);
            change = Math.Max(change, Math.Abs(newLambda - lambda));
            lambda = newLambda;
            converged = change < tolerance;
        }

        var estimated = fields.ToDictionary(
            field => field,
            field => (IReadOnlyDictionary<AgreementLevel, LevelProbabilities>)Levels.Of(field).ToDictionary(
                level => level,
                level => new LevelProbabilities(Round(m[(int)field][(int)level]), Round(u[(int)field][(int)level]))));
        var parameters = start with
        {
            Fields = estimated,
            Provenance = new ParameterProvenance
            {
                Method = "em",
                Pairs = total,
                Iterations = iterations,
                MatchPrior = Round(lambda),
            },
        };
        return new EmResult(parameters, lambda, iterations, converged);
    }

    private static void Normalize(double[] values)
    {
        var sum = values.Sum();
        if (sum <= 0)
        {
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= sum;
        }
    }

    // Six significant digits keep the file readable without changing any weight by more than 1e-5 bits.
    private static double Round(double value) => double.Parse(value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}
