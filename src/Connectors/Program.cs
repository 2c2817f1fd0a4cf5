using System.Runtime.InteropServices;
using SharingHub.Connectors.Cli;
using SharingHub.Connectors.Telemetry;
using Spectre.Console;

namespace SharingHub.Connectors;

/// <summary>The agency connector: a CLI that publishes a file, and a worker that publishes continuously.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes: one summary line per fact, not wrapped at 80 columns.
            AnsiConsole.Profile.Width = 1000;
        }
        // Ctrl+C and SIGTERM cancel the command, which then exits with its own code (1 for an interrupted publish,
        // 0 for a stopped worker, as the README says); System.CommandLine's own handling would answer 130 or 143
        // whatever the command returned. A second signal terminates at once.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        // Disposed before exit, so the last spans are flushed.
        using var tracing = ConnectorTelemetry.StartFromEnvironment();
        return await ConnectorCli.RunAsync(args, AnsiConsole.Console, stop.Token);

        void Stop(PosixSignalContext context)
        {
            if (!stop.IsCancellationRequested)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }
    }
}
