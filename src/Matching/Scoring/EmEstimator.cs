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
    /// <param name="minSupport">A level with fewer expected matched pairs keeps its starting weight.</param>
    /// <param name="fixU">
    /// Keep the starting u values (typically from <see cref="EstimateU"/>) and estimate only m and λ. Within blocks the
    /// non-matches agree on the very fields they were blocked on, so u estimated there would be far too high.
    /// </param>
    public static EmResult Estimate(
        IEnumerable<ComparisonVector> vectors,
        MatchParameters start,
        double initialMatchPrior = 0.1,
        double pseudoCount = 1.0,
        int maxIterations = 500,
        double tolerance = 1e-7,
        bool fixU = false,
        int minSupport = 20)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return Estimate(vectors.Select(vector => (vector, 1.0)), start, initialMatchPrior, pseudoCount, maxIterations, tolerance, fixU, minSupport);
    }

    /// <summary>
    /// Runs EM on weighted pairs: a weight says how many pairs of the full pair space one vector stands for, so a
    /// random sample of the pairs blocking did not produce can stand in for all of them. With every blocked pair at
    /// weight 1 and the sample at (all pairs − blocked pairs) / sample size, EM sees the whole pair space, where
    /// non-matches dominate and u is estimated where it is defined.
    /// </summary>
    public static EmResult Estimate(
        IEnumerable<(ComparisonVector Vector, double Weight)> weightedVectors,
        MatchParameters start,
        double initialMatchPrior,
        double pseudoCount = 1.0,
        int maxIterations = 500,
        double tolerance = 1e-7,
        bool fixU = false,
        int minSupport = 20)
    {
        ArgumentNullException.ThrowIfNull(weightedVectors);
        ArgumentNullException.ThrowIfNull(start);
        var fields = Levels.Fields;
        var levelCount = Enum.GetValues<AgreementLevel>().Length;

        // Distinct patterns with summed weights: the E-step then costs patterns, not pairs.
        var patterns = new Dictionary<string, (AgreementLevel[] Levels, double Count)>(StringComparer.Ordinal);
        foreach (var (vector, weight) in weightedVectors)
        {
            var levels = vector.Levels.ToArray();
            var key = string.Concat(levels.Select(level => (char)('a' + (int)level)));
            patterns[key] = patterns.TryGetValue(key, out var existing) ? (existing.Levels, existing.Count + weight) : (levels, weight);
        }

        var total = patterns.Values.Sum(pattern => pattern.Count);
        if (total == 0)
        {
            throw new ArgumentException("EM needs at least one pair.", nameof(weightedVectors));
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
                // u is learned from every pair (non-matches dominate); its pseudo-counts keep unseen levels tiny but non-zero.
                Normalize(uCounts[f]);
                for (var l = 0; l < levelCount; l++)
                {
                    uCounts[f][l] = fixU ? u[f][l] : priorU[f][l] > 0 ? Math.Clamp(uCounts[f][l], 1e-9, 1 - 1e-9) : 0;
                }

                // m needs matched pairs to learn from: its support is the expected number of matches at the level.
                // An unsupported level keeps its starting weight (m = u × prior m/u, capped at the prior m) at the
                // small mass the data gives it in u, so it neither gets an arbitrary weight nor skews the other levels.
                var matchSupport = new double[levelCount];
                var fallback = new double[levelCount];
                for (var l = 0; l < levelCount; l++)
                {
                    matchSupport[l] = mCounts[f][l] - (priorM[f][l] * pseudoCount);
                    fallback[l] = priorU[f][l] > 0 ? Math.Min(priorM[f][l], uCounts[f][l] * priorM[f][l] / priorU[f][l]) : 0;
                }

                KeepPriorWhereUnsupported(mCounts[f], fallback, matchSupport, minSupport);
                foreach (var level in Levels.Of(fields[f]))
                {
                    var l = (int)level;
                    var newM = Math.Clamp(mCounts[f][l], 1e-9, 1 - 1e-9);
                    var newU = uCounts[f][l];
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
                level => new LevelProbabilities(Round(m[(int)field][(int)level]), Round(u[(int)field][(int)level]), start.Fields[field][level].MaxWeight)));
        var parameters = start with
        {
            Fields = estimated,
            Provenance = new ParameterProvenance
            {
                Method = "em",
                Pairs = (long)Math.Round(total),
                Iterations = iterations,
                MatchPrior = Round(lambda),
            },
        };
        return new EmResult(parameters, lambda, iterations, converged);
    }

    /// <summary>
    /// Estimates u = P(level | non-match) as plain level frequencies over randomly drawn record pairs, which are
    /// non-matches but for a negligible share (about one in the number of records). Levels get the same prior
    /// pseudo-counts as in the Estimate methods; m values are copied from <paramref name="start"/>.
    /// </summary>
    public static MatchParameters EstimateU(IEnumerable<ComparisonVector> randomPairs, MatchParameters start, double pseudoCount = 1.0)
    {
        ArgumentNullException.ThrowIfNull(randomPairs);
        ArgumentNullException.ThrowIfNull(start);
        var levelCount = Enum.GetValues<AgreementLevel>().Length;
        var counts = Levels.Fields.Select(field =>
        {
            var row = new double[levelCount];
            var prior = Levels.Of(field).Sum(level => start.Fields[field][level].U);
            foreach (var level in Levels.Of(field))
            {
                row[(int)level] = pseudoCount * start.Fields[field][level].U / prior;
            }

            return row;
        }).ToArray();

        foreach (var vector in randomPairs)
        {
            var levels = vector.Levels;
            for (var f = 0; f < levels.Length; f++)
            {
                if (levels[f] != AgreementLevel.Missing)
                {
                    counts[f][(int)levels[f]]++;
                }
            }
        }

        foreach (var row in counts)
        {
            Normalize(row);
        }

        var fields = Levels.Fields.ToDictionary(
            field => field,
            field => (IReadOnlyDictionary<AgreementLevel, LevelProbabilities>)Levels.Of(field).ToDictionary(
                level => level,
                level => new LevelProbabilities(start.Fields[field][level].M, Round(Math.Clamp(counts[(int)field][(int)level], 1e-9, 1 - 1e-9)), start.Fields[field][level].MaxWeight)));
        return start with { Fields = fields };
    }

    // A level with less than minSupport support takes its fallback probability; the supported levels share the rest
    // in proportion to their expected counts. Without this, a level the data never shows gets an arbitrary weight.
    private static void KeepPriorWhereUnsupported(double[] counts, double[] prior, double[] support, int minSupport)
    {
        var reserved = 0.0;
        var observed = 0.0;
        for (var l = 0; l < counts.Length; l++)
        {
            if (l == (int)AgreementLevel.Missing || prior[l] == 0)
            {
                continue;
            }

            if (support[l] < minSupport)
            {
                reserved += prior[l];
            }
            else
            {
                observed += counts[l];
            }
        }

        for (var l = 0; l < counts.Length; l++)
        {
            if (l == (int)AgreementLevel.Missing || prior[l] == 0)
            {
                counts[l] = 0;
            }
            else if (support[l] < minSupport)
            {
                counts[l] = prior[l];
            }
            else
            {
                counts[l] = observed > 0 ? counts[l] / observed * (1 - reserved) : prior[l];
            }
        }
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

    // Six significant digits keep the file readable without changing any weight by more than 1e-5 bits; a probability
    // within 1e-6 of 1 stays below it (0.9999996 would print as 1, which the parameter file rightly refuses).
    private static double Round(double value) => Math.Min(0.999999, double.Parse(value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture));
}
