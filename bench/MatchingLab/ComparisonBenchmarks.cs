using BenchmarkDotNet.Attributes;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// The person-identity comparison per candidate pair, on realistic pairs: <see cref="Pairs"/> pairs of FEBRL records
/// that share a blocking key (as the hub's candidates do), scored with the name frequencies of the whole file.
/// <list type="bullet">
/// <item><see cref="OldPath"/>: what the Gateway did per candidate before issue 14: normalize the candidate's record,
/// compare, score with the explanation.</item>
/// <item><see cref="OldCompareAndScore"/>: the old comparison alone, on evidence already normalized.</item>
/// <item><see cref="Precomputed"/>: what it does now: <see cref="MatchingEngine.QuickScore"/> on evidence read back
/// from stored features (no normalization, no allocation).</item>
/// <item><see cref="ReadFeatures"/>: reading one record's stored features back (per record loaded, not per pair).</item>
/// </list>
/// Each reports the time per pair (per record for <see cref="ReadFeatures"/>). The file is
/// <c>SHARINGHUB_BENCH_FEBRL</c>, else <c>../shared/data/febrl/febrl3.csv</c> beside the checkout.
/// </summary>
[MemoryDiagnoser]
public class ComparisonBenchmarks
{
    public const int Pairs = 1000;

    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();
    private FebrlRow[] _rows = [];
    private PersonEvidence[] _normalized = [];
    private PersonEvidence[] _stored = [];
    private byte[][] _personFeatures = [];
    private (int A, int B)[] _pairs = [];
    private NameFrequencies _frequencies = NameFrequencies.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("SHARINGHUB_BENCH_FEBRL") ?? FindFebrl()
            ?? throw new InvalidOperationException("febrl3.csv not found: set SHARINGHUB_BENCH_FEBRL to a FEBRL-format file");
        _rows = [.. FebrlFile.Read(path)];
        _normalized = [.. _rows.Select(row => _engine.BuildPersonEvidence(row.ToPerson(), places: row.ToPlace() is { } place ? [place] : null))];
        _personFeatures = [.. _normalized.Select(_engine.PersonFeatures)];
        _stored = [.. _rows.Select((_, i) => Read(i))];
        var counter = new NameFrequencyCounter();
        foreach (var evidence in _normalized)
        {
            counter.Add(_engine.NameComponents(evidence), 1);
        }

        _frequencies = counter.Snapshot();

        // Candidate pairs as blocking gives them, spread evenly over the whole list (true pairs and namesakes alike).
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < _normalized.Length; i++)
        {
            foreach (var key in _engine.PersonKeys(_normalized[i]))
            {
                (byKey.TryGetValue(key, out var list) ? list : byKey[key] = []).Add(i);
            }
        }

        var all = new SortedSet<(int, int)>();
        foreach (var list in byKey.Values.Where(list => list.Count <= 200))
        {
            for (var x = 0; x < list.Count; x++)
            {
                for (var y = x + 1; y < list.Count; y++)
                {
                    all.Add((Math.Min(list[x], list[y]), Math.Max(list[x], list[y])));
                }
            }
        }

        var step = Math.Max(1, all.Count / Pairs);
        _pairs = [.. all.Where((_, index) => index % step == 0).Take(Pairs)];
        if (_pairs.Length < Pairs)
        {
            throw new InvalidOperationException($"{path}: only {_pairs.Length} candidate pairs");
        }

        var banded = _pairs.Count(pair => _engine.QuickScore(_stored[pair.A], _stored[pair.B], _frequencies).Band != MatchBand.None);
        Console.WriteLine($"// {Path.GetFileName(path)}: {_rows.Length} records, {all.Count} candidate pairs, {Pairs} measured ({banded} in a band)");
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double OldPath()
    {
        var total = 0.0;
        foreach (var (a, b) in _pairs)
        {
            var row = _rows[b];
            var candidate = _engine.BuildPersonEvidence(row.ToPerson(), places: row.ToPlace() is { } place ? [place] : null);
            total += _engine.ScorePersons(_normalized[a], candidate, _frequencies).Score;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double OldCompareAndScore()
    {
        var total = 0.0;
        foreach (var (a, b) in _pairs)
        {
            total += _engine.ScorePersons(_normalized[a], _normalized[b], _frequencies).Score;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Pairs, Baseline = true)]
    public double Precomputed()
    {
        var total = 0.0;
        foreach (var (a, b) in _pairs)
        {
            total += _engine.QuickScore(_stored[a], _stored[b], _frequencies).Score;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int ReadFeatures()
    {
        var names = 0;
        foreach (var (_, b) in _pairs)
        {
            names += Read(b).Names.Count;
        }

        return names;
    }

    /// <summary>
    /// Each benchmark's processor time per pair (the process's): on a machine shared with other work, wall-clock figures
    /// count the time spent waiting for a core, processor time does not. Two figures per benchmark, in one process:
    /// <list type="bullet">
    /// <item>first runs: 5 runs of every pair right after one warm-up run (the figure this report gave before
    /// 2026-12-07). The runtime's tiered compilation has not settled yet, so it counts partly unoptimized code and the
    /// background compiler's own work: the cost of a process's first few thousand pairs.</item>
    /// <item>steady: after <see cref="SteadyWarmUp"/> of runs (tier-1 code, as in a Gateway that has been matching for
    /// a while), 5 samples of <see cref="SteadyRuns"/> runs each: what the hub pays per pair once running.</item>
    /// </list>
    /// Each figure is the median of its 5 samples, with their minimum and maximum.
    /// </summary>
    /// <param name="only">The benchmarks to run (all when empty).</param>
    public static void ReportCpuTime(IReadOnlyCollection<string> only)
    {
        var bench = new ComparisonBenchmarks();
        bench.Setup();
        var benchmarks = new (string Name, Func<double> Run)[]
        {
            (nameof(OldPath), bench.OldPath), (nameof(OldCompareAndScore), bench.OldCompareAndScore),
            (nameof(Precomputed), bench.Precomputed), (nameof(ReadFeatures), () => bench.ReadFeatures()),
        }.Where(benchmark => only.Count == 0 || only.Contains(benchmark.Name)).ToArray();
        if (benchmarks.Length == 0)
        {
            throw new ArgumentException($"no benchmark named {string.Join(", ", only)}; the names are OldPath, OldCompareAndScore, Precomputed and ReadFeatures");
        }

        var first = new Dictionary<string, (double Median, double Min, double Max)>();
        foreach (var (name, run) in benchmarks)
        {
            run();
            first[name] = Samples(run, runs: 1);
        }

        foreach (var (name, run) in benchmarks)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < SteadyWarmUp)
            {
                run();
            }

            var steady = Samples(run, SteadyRuns);
            var cold = first[name];
            Console.WriteLine($"{name,-20} steady {steady.Median,6:F2} µs processor time per pair (median of 5; min {steady.Min:F2}, max {steady.Max:F2})" +
                              $"   first runs {cold.Median,6:F2} (min {cold.Min:F2}, max {cold.Max:F2})");
        }

        static (double Median, double Min, double Max) Samples(Func<double> run, int runs)
        {
            var process = System.Diagnostics.Process.GetCurrentProcess();
            var samples = new double[5];
            for (var i = 0; i < samples.Length; i++)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                for (var r = 0; r < runs; r++)
                {
                    run();
                }

                process.Refresh();
                samples[i] = (process.TotalProcessorTime - before).TotalMicroseconds / (Pairs * runs);
            }

            Array.Sort(samples);
            return (samples[2], samples[0], samples[4]);
        }
    }

    /// <summary>How long <see cref="ReportCpuTime"/> runs a benchmark before its steady figure: tiered compilation promotes a
    /// method after 30 calls and a 100 ms quiet period, then again after its instrumented tier; 3 s is well past both.</summary>
    private static readonly TimeSpan SteadyWarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Runs (of every pair) per steady sample: tens of milliseconds of processor time, far above the clock's resolution.</summary>
    private const int SteadyRuns = 20;

    private PersonEvidence Read(int index) => _engine.ReadPersonFeatures(_personFeatures[index])!;

    private static string? FindFebrl()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "febrl", "febrl3.csv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
