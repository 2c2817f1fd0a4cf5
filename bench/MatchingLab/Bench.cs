using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>bench [--quick] [BenchmarkDotNet options]</c>: per-record normalization + keys and per-pair scoring costs, and the
/// person-identity comparison on precomputed features against the old path (<see cref="ComparisonBenchmarks"/>).
/// <c>bench --cpu [NAME…]</c> reports the same comparisons (or only the named ones, e.g. <c>Precomputed</c>) in processor
/// time per pair, which a busy shared machine does not inflate.
/// Runs in process (the assembly name differs from the project file name, which BenchmarkDotNet's generated
/// project cannot follow); <c>--quick</c> uses BenchmarkDotNet's short run (3 iterations).
/// </summary>
internal static class Bench
{
    public static int Run(string[] args)
    {
        if (args.Contains("--cpu"))
        {
            ComparisonBenchmarks.ReportCpuTime([.. args.Where(arg => !arg.StartsWith("--", StringComparison.Ordinal))]);
            return 0;
        }

        var quick = args.Contains("--quick");
        var rest = args.Where(arg => arg != "--quick").ToArray();
        var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance.AddJob(job.AsDefault());
        BenchmarkSwitcher.FromTypes([typeof(MatchingBenchmarks), typeof(ComparisonBenchmarks)]).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
        return 0;
    }
}

/// <summary>Micro-benchmarks of the per-record and per-pair hot paths the Gateway runs.</summary>
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();
    private readonly PersonInput _person = new("María José", "García López", ["Majo"], "1988-03-14", "F", [new IdentifierInput("ssn", "123-45-6789")]);
    private readonly PhoneInput[] _phones = [new("(713) 555-0199", new DateOnly(2026, 1, 1))];
    private readonly PlaceInput[] _places = [new("1200 Main Street Apt 4, Houston, TX 77002", 29.7530, -95.3600)];
    private PersonEvidence _a = null!;
    private PersonEvidence _b = null!;
    private PersonEvidence _unrelated = null!;
    private ComparisonVector _vector = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = _engine.BuildPersonEvidence(_person, _phones, _places);
        _b = _engine.BuildPersonEvidence(new PersonInput("MARIA", "GARCIA-LOPEZ", null, "1988-03-14", "F"), _phones,
            [new PlaceInput("1200 MAIN ST #4, Houston TX 77002")]);
        _unrelated = _engine.BuildPersonEvidence(new PersonInput("Robert", "Smith", null, "1971-11-02", "M"));
        _vector = _engine.Comparer.Compare(_a, _b);
    }

    [Benchmark]
    public IReadOnlyList<string> NormalizeAndKeys() => _engine.PersonKeys(_engine.BuildPersonEvidence(_person, _phones, _places));

    [Benchmark]
    public PersonMatchResult ScoreMatchingPair() => _engine.ScorePersons(_a, _b);

    [Benchmark]
    public double CompareAndScoreUnrelatedPair() => _engine.Scorer.ScoreOf(_engine.Comparer.Compare(_a, _unrelated));

    [Benchmark]
    public double ScoreVectorOnly() => _engine.Scorer.ScoreOf(_vector);
}
