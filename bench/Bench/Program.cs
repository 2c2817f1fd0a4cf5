using SharingHub.Bench.Alerts;
using SharingHub.Bench.Chaos;
using SharingHub.Bench.GraphQL;
using SharingHub.Bench.Ingest;
using SharingHub.Bench.Match;

namespace SharingHub.Bench;

/// <summary>Load generators and benchmarks, run through <c>./hub bench</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // One verb per benchmark. A bad option is a clear line and the usage, never a stack trace.
        try
        {
            return await RunAsync(args);
        }
        // A failed run whose clean-up failed too: the run's error first (it is the cause), the clean-up's after it.
        catch (CleanUpFailedException ex)
        {
            var code = Report(ex.RunFailure);
            Console.Error.WriteLine($"bench: {ex.Message}");
            return code;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or BenchFailedException
            or HttpRequestException or Npgsql.NpgsqlException)
        {
            return Report(ex);
        }
    }

    /// <summary>Prints a failed run's error in one line (the usage too for a bad option) and returns the exit code.</summary>
    private static int Report(Exception ex)
    {
        switch (ex)
        {
            case ArgumentException or FormatException or OverflowException:
                Console.Error.WriteLine($"bench: {ex.Message}");
                Usage();
                return 2;
            // A failed run (an error answer, a service that cannot be reached) is one line, never a stack trace.
            case BenchFailedException:
                Console.Error.WriteLine($"bench: {ex.Message}");
                return 1;
            case HttpRequestException:
                Console.Error.WriteLine($"bench: the service could not be reached: {ex.Message}");
                return 1;
            case Npgsql.NpgsqlException:
                Console.Error.WriteLine($"bench: the database failed: {ex.Message}");
                return 1;
            default:
                // Unforeseen: the whole exception, as an unhandled one would have shown it.
                Console.Error.WriteLine($"bench: {ex}");
                return 1;
        }
    }

    private static async Task<int> RunAsync(string[] args)
    {
        return args.FirstOrDefault() switch
        {
            "ingest" => await IngestBenchmark.RunAsync(args[1..]),
            "match" => await MatchBenchmark.RunAsync(args[1..]),
            "evaluate" => await Evaluation.RunAsync(args[1..]),
            "graphql" => await GraphQLBenchmark.RunAsync(args[1..]),
            "chaos" => await ChaosBenchmark.RunAsync(args[1..]),
            // The chaos run's population and its engine check on their own, without a hub.
            "chaos-population" when args.Length == 2 => ChaosPopulationCheck(args[1]),
            "alerts" => await AlertBenchmark.RunAsync(args[1..]),
            // The ingest benchmark's input on its own, to profile the connector or the hub in isolation.
            "synthetic" when args.Length == 3 => Synthetic(args[1], args[2]),
            _ => Usage(),
        };
    }

    private static int ChaosPopulationCheck(string records)
    {
        var population = ChaosPopulation.Create(int.Parse(records, System.Globalization.CultureInfo.InvariantCulture), ["A", "B", "C", "D"]);
        var check = ChaosEngineCheck.Run(population);
        Console.WriteLine($"{population.Count} records, {population.Expected.Count} planned pairs ({check.BelowMatch.Count} below Match); {check.Candidates} other candidate pairs: {check.Possible} Possible, {check.Match} Match");
        return check.BelowMatch.Count == 0 ? 0 : 1;
    }

    private static int Synthetic(string records, string file)
    {
        SyntheticRecords.Write(file, int.Parse(records, System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: bench ingest --agency CODE --connector DLL --broker URL --password-file PATH [--records N] [--batch-size N] [--stored N] [--processes NAME=PID,...]");
        Console.Error.WriteLine("       bench match [--stored 100000,1000000] [--stream N] [--warmup N] [--rate N] (through ./hub bench match)");
        Console.Error.WriteLine("       bench evaluate --file F --mapping M --truth COLUMN [--truth-pattern REGEX] [--agencies K | --split-by COLUMN] [--seed S] [--misses FILE] [--background FILE] [--keep]");
        Console.Error.WriteLine("       bench graphql --agency CODE --url URL --token-file PATH [--stored 1000000] [--matches 10000] [--clients 16] [--seconds 20] (through ./hub bench graphql)");
        Console.Error.WriteLine("       bench chaos --agencies A,B,C --connector DLL --broker URL --broker-nodes H:P,... --secrets DIR --hub PATH [--records 100000] (through ./hub bench chaos)");
        Console.Error.WriteLine("       bench alerts --agency CODE --password-file PATH --stream-agency CODE --stream-password-file PATH --broker URL --url URL [--token-file PATH] [--stored 1000000] [--background 1000] [--background-batch 1] [--probes 300] [--seconds 60] [--warmup 20] [--timeout 30] [--keep] (through ./hub bench alerts)");
        Console.Error.WriteLine("       bench synthetic N FILE   (writes the ingest benchmark's N canonical records)");
        return 1;
    }
}

/// <summary>A benchmark run that cannot go on, with a message that says why in one line.</summary>
internal sealed class BenchFailedException(string message) : Exception(message);
