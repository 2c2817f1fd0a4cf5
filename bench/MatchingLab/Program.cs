using SharingHub.Matching.Normalization;
using SharingHub.MatchingLab;

// Offline lab for the matching engine: see the verbs below and docs/decisions/ADR-004-matching-model.md.
if (args.Length == 0)
{
    Console.Error.WriteLine("""
        usage: MatchingLab <verb> [options]
          evaluate --file F [--file G] [--agencies 3] [--seed S | --seeds 1,2,3] [--params P] [--show-errors N] [--key-report] [--no-frequencies]
          estimate --file F [--file G] [--border B] --out params.json [--params START] [--version V] [--match T --possible T]
          estimate --anchored --border B --out params.json [--params START] [--version V] [--policy-prior 0.001]
          border   --file border.csv [--params P] [--show-errors N] [--dump PAIRS.tsv] [--no-frequencies]
          synth    --out F [--count 1000] [--seed 1]     (Hispanic-name synthetic set with FEBRL columns)
          codes    --file NAMES                          (Double Metaphone code of each line, for checking)
          bench    [--quick] [BenchmarkDotNet options]
          bench    --cpu [NAME...]                       (processor time per pair: steady and first runs; NAME e.g. Precomputed)
        """);
    return 1;
}

var rest = args[1..];
try
{
    return args[0] switch
    {
        "evaluate" => Evaluate.Run(new Args(rest)),
        "estimate" => rest.Contains("--anchored") ? EstimateAnchored.Run(new Args(rest)) : Estimate.Run(new Args(rest)),
        "synth" => Synth.Run(new Args(rest)),
        "border" => Border.Run(new Args(rest)),
        "codes" => Codes(new Args(rest)),
        "bench" => Bench.Run(rest),
        _ => throw new ArgumentException($"unknown verb '{args[0]}'"),
    };
}
catch (Exception exception) when (exception is ArgumentException or InvalidDataException or IOException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

static int Codes(Args args)
{
    foreach (var line in File.ReadLines(args.Required("file")))
    {
        var code = DoubleMetaphone.Encode(line);
        Console.WriteLine($"{line}\t{code.Primary}\t{code.Alternate}");
    }

    return 0;
}
