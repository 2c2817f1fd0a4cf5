namespace SharingHub.Bench;

/// <summary>Load generators and benchmarks, run through <c>./hub bench</c>.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: bench ingest|match [options] (see ./hub help)");
        return 1;
    }
}
