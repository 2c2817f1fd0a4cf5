using SharingHub.Connectors.Cli;
using Spectre.Console;

namespace SharingHub.Connectors;

/// <summary>The agency connector: a CLI that publishes a file, and a worker that publishes continuously.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes: one summary line per fact, not wrapped at 80 columns.
            AnsiConsole.Profile.Width = 1000;
        }
        return ConnectorCli.RunAsync(args, AnsiConsole.Console);
    }
}
