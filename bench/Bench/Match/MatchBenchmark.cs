namespace SharingHub.Bench.Match;

/// <summary><c>./hub bench match</c> (placeholder until the benchmark lands in the next commit).</summary>
internal static class MatchBenchmark
{
    public static Task<int> RunAsync(string[] arguments)
    {
        _ = arguments;
        throw new NotSupportedException("TODO(#5): bench match");
    }
}
