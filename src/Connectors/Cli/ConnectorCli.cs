using System.CommandLine;
using Spectre.Console;

namespace SharingHub.Connectors.Cli;

/// <summary>The connector's command line: <c>publish</c> (one file), <c>connector</c> (the worker) and <c>alerts</c> (the alert drain).</summary>
internal static class ConnectorCli
{
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default)
    {
        var agency = new Option<string>("--agency") { Description = "the agency code; also its broker user name", Required = true };
        var broker = new Option<string?>("--broker")
        {
            Description = "the hub's broker, e.g. amqp://hub.example:5672/ (default: SHARINGHUB_BROKER_URL)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHARINGHUB_BROKER_URL"),
        };
        broker.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps"))
            {
                result.AddError("--broker must be an amqp:// or amqps:// URL");
            }
        });
        var brokerNodes = new Option<string?>("--broker-nodes")
        {
            Description = "the nodes of the hub's broker cluster, host:port,host:port (default: SHARINGHUB_BROKER_NODES; none: --broker's host)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHARINGHUB_BROKER_NODES"),
        };
        brokerNodes.Validators.Add(result =>
        {
            if (Publishing.BrokerSettings.ParseNodes(result.GetValueOrDefault<string?>()) is null)
            {
                result.AddError("--broker-nodes must be host:port pairs separated by commas, each port from 1 to 65535, e.g. 127.0.0.1:5672,127.0.0.1:5673");
            }
        });
        var passwordFile = new Option<FileInfo?>("--password-file")
        {
            Description = "file holding the agency's broker password (default: SHARINGHUB_BROKER_PASSWORD)",
        };
        passwordFile.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { Exists: false } missing)
            {
                result.AddError($"--password-file {missing.FullName} does not exist");
            }
        });
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "where confirmed progress is kept (default: SHARINGHUB_CONNECTOR_STATE or ~/.local/state/sharinghub-connector)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHARINGHUB_CONNECTOR_STATE") is { Length: > 0 } dir
                ? dir
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "sharinghub-connector"),
        };
        var region = new Option<string>("--region")
        {
            Description = "phone region (ISO 3166-1 alpha-2) when the mapping sets none, then its neighbours: US or US,MX",
            DefaultValueFactory = _ => "US",
        };

        var file = new Option<FileInfo>("--file") { Description = "the CSV or JSON file to publish", Required = true };
        var mapping = new Option<FileInfo?>("--mapping") { Description = "mapping file; without it the file must be canonical JSON lines" };
        var dryRun = new Option<bool>("--dry-run") { Description = "check and report only; publish nothing" };
        var report = new Option<string?>("--report") { Description = "where to write the reject report (default: FILE.rejects.csv)" };
        var batchSize = new Option<int>("--batch-size") { Description = "records per message", DefaultValueFactory = _ => 1000 };
        var stats = new Option<string?>("--stats") { Description = "write the run's counts and timings as JSON to this file" };

        var publish = new Command("publish", "publish one CSV or JSON file to the hub")
        {
            agency, file, mapping, dryRun, broker, brokerNodes, passwordFile, region, report, stateDir, batchSize, stats,
        };
        publish.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(batchSize);
            if (size is < 1 or > 5000)
            {
                console.MarkupLine("[red]error:[/] --batch-size must be between 1 and 5000");
                return ExitCodes.Fatal;
            }
            return await PublishCommand.RunAsync(new PublishArgs
            {
                Agency = parse.GetRequiredValue(agency),
                File = parse.GetRequiredValue(file).FullName,
                Mapping = parse.GetValue(mapping)?.FullName,
                DryRun = parse.GetValue(dryRun),
                Broker = parse.GetValue(broker) is { } url ? new Uri(url) : null,
                BrokerNodes = Publishing.BrokerSettings.ParseNodes(parse.GetValue(brokerNodes)) ?? [],
                Password = ReadPassword(parse.GetValue(passwordFile)),
                Region = parse.GetValue(region) ?? "US",
                Report = parse.GetValue(report),
                StateDirectory = parse.GetRequiredValue(stateDir),
                BatchSize = size,
                StatsFile = parse.GetValue(stats),
            }, console, cancellationToken);
        });

        var config = new Option<FileInfo>("--config") { Description = "the worker's configuration (JSON)", Required = true };
        var connector = new Command("connector", "run continuously: publish files dropped in a folder and/or rows of a SQL query")
        {
            agency, config, broker, brokerNodes, passwordFile, stateDir, region,
        };
        connector.SetAction(async (parse, cancellationToken) => await Worker.WorkerCommand.RunAsync(new Worker.WorkerArgs
        {
            Agency = parse.GetRequiredValue(agency),
            ConfigFile = parse.GetRequiredValue(config).FullName,
            Broker = parse.GetValue(broker) is { } url ? new Uri(url) : null,
                BrokerNodes = Publishing.BrokerSettings.ParseNodes(parse.GetValue(brokerNodes)) ?? [],
            Password = ReadPassword(parse.GetValue(passwordFile)),
            StateDirectory = parse.GetRequiredValue(stateDir),
            Region = parse.GetValue(region) ?? "US",
        }, cancellationToken));

        var sink = new Option<string>("--sink") { Description = "where alerts go: file:PATH (JSON lines) or webhook:URL (a POST per alert)", Required = true };
        var once = new Option<bool>("--once") { Description = "stop when the queue is empty instead of waiting for more" };
        var alerts = new Command("alerts", "drain the agency's alert queue to a JSON-lines file or a webhook, in order, each alert once")
        {
            agency, sink, once, broker, brokerNodes, passwordFile, stateDir,
        };
        alerts.SetAction(async (parse, cancellationToken) => await AlertsCommand.RunAsync(new AlertsArgs
        {
            Agency = parse.GetRequiredValue(agency),
            Sink = parse.GetValue(sink),
            Once = parse.GetValue(once),
            Broker = parse.GetValue(broker) is { } url ? new Uri(url) : null,
                BrokerNodes = Publishing.BrokerSettings.ParseNodes(parse.GetValue(brokerNodes)) ?? [],
            Password = ReadPassword(parse.GetValue(passwordFile)),
            StateDirectory = parse.GetRequiredValue(stateDir),
        }, cancellationToken));

        var root = new RootCommand("SharingHub connector: publishes an agency's sanitized records to the hub and drains its alerts")
        {
            publish, connector, alerts,
        };
        // The caller's token is the only stop signal (Program turns Ctrl+C and SIGTERM into it): System.CommandLine's
        // own signal handling would replace the command's exit code by 130 or 143.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static string? ReadPassword(FileInfo? file) =>
        file is not null ? File.ReadAllText(file.FullName).Trim() : Environment.GetEnvironmentVariable("SHARINGHUB_BROKER_PASSWORD");
}
