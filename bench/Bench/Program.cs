using SharingHub.Bench.Ingest;

namespace SharingHub.Bench;

/// <summary>Load generators and benchmarks, run through <c>./hub bench</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // One verb per benchmark; `match` joins `ingest` here.
        return args.FirstOrDefault() switch
        {
            "ingest" => await IngestBenchmark.RunAsync(args[1..]),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: bench ingest --agency CODE --connector DLL --broker URL --password-file PATH [--records N] [--batch-size N]");
        return 1;
    }
}
