namespace SharingHub.Connectors;

/// <summary>The agency connector: a CLI that publishes a file, and a worker that publishes continuously.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: connectors publish|connector ... (see ./hub help)");
        return 1;
    }
}
