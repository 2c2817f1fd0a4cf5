using Microsoft.Extensions.Logging;
using SharingHub.Connectors.Alerts;
using SharingHub.Connectors.Publishing;

namespace SharingHub.Connectors.Cli;

/// <summary>Arguments of <c>alerts</c>.</summary>
internal sealed record AlertsArgs
{
    public required string Agency { get; init; }
    public string? Sink { get; init; }
    public bool Once { get; init; }
    public Uri? Broker { get; init; }

    /// <summary>The broker cluster's nodes (<c>--broker-nodes</c>); empty: the broker URL's host.</summary>
    public IReadOnlyList<RabbitMQ.Client.AmqpTcpEndpoint> BrokerNodes { get; init; } = [];
    public string? Password { get; init; }
    public required string StateDirectory { get; init; }
}

/// <summary>
/// <c>alerts</c>: drains the agency's alert queue to a JSON-lines file or a webhook (<see cref="AlertDrain"/>), until
/// stopped, or with <c>--once</c> until the queue is empty. Exits 0 when stopped or drained, 1 with a one-line reason
/// when it cannot go on (a bad sink, missing or refused credentials, a queue it may not read).
/// </summary>
internal static partial class AlertsCommand
{
    public static async Task<int> RunAsync(AlertsArgs args, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        var logger = loggers.CreateLogger("SharingHub.Connectors.Alerts");
        if (args.Broker is null || string.IsNullOrEmpty(args.Password))
        {
            Log.Fatal(logger, "the broker URL and the agency's password are required (--broker and --password-file, or SHARINGHUB_BROKER_URL and SHARINGHUB_BROKER_PASSWORD)");
            return ExitCodes.Fatal;
        }
        IAlertSink sink;
        try
        {
            sink = AlertSinks.Parse(args.Sink, Environment.CurrentDirectory);
        }
        catch (ArgumentException ex)
        {
            Log.Fatal(logger, ex.Message);
            return ExitCodes.Fatal;
        }
        await using (sink)
        {
            var drain = new AlertDrain(sink, new AlertDrainOptions
            {
                Broker = new BrokerSettings(args.Broker, args.Agency, args.Password) { Nodes = args.BrokerNodes },
                StateDirectory = args.StateDirectory,
                Once = args.Once,
            }, logger);
            return await RunDrainAsync(drain, sink, logger, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="drain"/> and turns what ends it into an exit code and one line (shared with the worker).</summary>
    public static async Task<int> RunDrainAsync(AlertDrain drain, IAlertSink sink, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            (sink as FileAlertSink)?.CheckWritable();
            await drain.RunAsync(cancellationToken);
            Log.Drained(logger, drain.Delivered, drain.Duplicates);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Stopped(logger, drain.Delivered, drain.Duplicates);
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is BrokerRefusedException or SinkRefusedException or UnauthorizedAccessException or IOException)
        {
            Log.Fatal(logger, ex.Message);
            return ExitCodes.Fatal;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
        public static partial void Fatal(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "queue drained: {Delivered} alerts delivered, {Duplicates} repeats dropped")]
        public static partial void Drained(ILogger logger, long delivered, long duplicates);

        [LoggerMessage(Level = LogLevel.Information, Message = "stopped: {Delivered} alerts delivered, {Duplicates} repeats dropped; the rest stay queued")]
        public static partial void Stopped(ILogger logger, long delivered, long duplicates);
    }
}
