using System.Globalization;
using System.Text.Json;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Reporting;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Rules;
using Spectre.Console;

namespace SharingHub.Connectors.Cli;

/// <summary>Arguments of <c>publish</c>.</summary>
internal sealed record PublishArgs
{
    public required string Agency { get; init; }
    public required string File { get; init; }
    public string? Mapping { get; init; }
    public bool DryRun { get; init; }
    public Uri? Broker { get; init; }

    /// <summary>The broker cluster's nodes (<c>--broker-nodes</c>); empty: the broker URL's host.</summary>
    public IReadOnlyList<RabbitMQ.Client.AmqpTcpEndpoint> BrokerNodes { get; init; } = [];
    public string? Password { get; init; }
    public string Region { get; init; } = "US";
    public string? Report { get; init; }
    public required string StateDirectory { get; init; }
    public int BatchSize { get; init; } = 1000;
    public string? StatsFile { get; init; }
}

/// <summary>Exit codes of the connector.</summary>
internal static class ExitCodes
{
    /// <summary>Every row was published (some records perhaps without an invalid value the mapping let it omit).</summary>
    public const int Success = 0;

    /// <summary>A fatal error: nothing more could be done (bad arguments, unusable mapping, refused by the broker, interrupted).</summary>
    public const int Fatal = 1;

    /// <summary>Some rows were rejected (see the reject report); all the others were published.</summary>
    public const int SomeRejected = 2;

    /// <summary>
    /// The exit code of a run: fatal wins, then any rejected row or record, else success. Omitted values do not
    /// count: the mapping asked for their records to be published without them, and they are in the report.
    /// </summary>
    public static int For(bool fatal, PublishCounts? counts) =>
        fatal ? Fatal
        : counts is not null && counts.RecordsRejected + counts.RowsRejected > 0 ? SomeRejected
        : Success;
}

/// <summary><c>publish</c>: one file, once, with a progress bar, a summary and a reject report.</summary>
internal static class PublishCommand
{
    public static async Task<int> RunAsync(PublishArgs args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(args.File);
        if (!File.Exists(file))
        {
            console.MarkupLineInterpolated($"[red]error:[/] {file} does not exist");
            return ExitCodes.Fatal;
        }

        RowMapper? mapper;
        SanitizerSettings settings;
        try
        {
            var mapping = args.Mapping is null ? null : MappingFile.Load(args.Mapping);
            mapper = mapping is null ? null : new RowMapper(mapping);
            settings = SettingsFor(mapping, args.Region);
        }
        catch (MappingException ex)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.Fatal;
        }

        var store = new ProgressStore(args.StateDirectory);
        var key = $"file|{args.Agency}|{file}";
        string fingerprint;
        long resumeAfter;
        RejectReport report;
        try
        {
            fingerprint = ProgressStore.Fingerprint(file);
            var earlier = store.Load(key);
            resumeAfter = !args.DryRun && earlier is not null && earlier.Fingerprint == fingerprint ? earlier.ConfirmedRows : 0;
            report = new RejectReport(args.Report ?? file + ".rejects.csv");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.Fatal;
        }
        if (resumeAfter > 0)
        {
            console.MarkupLineInterpolated($"resuming: rows 1-{resumeAfter} were confirmed by an earlier run and are not sent again");
        }

        RecordPublisher? publisher = null;
        PublishRun? run = null;
        var fatal = false;
        try
        {
            if (!args.DryRun)
            {
                if (args.Broker is null || string.IsNullOrEmpty(args.Password))
                {
                    console.MarkupLine("[red]error:[/] the broker URL and the agency's password are required (--broker and --password-file, or SHARINGHUB_BROKER_URL and SHARINGHUB_BROKER_PASSWORD)");
                    return ExitCodes.Fatal;
                }
                var broker = new BrokerSettings(args.Broker, args.Agency, args.Password) { Nodes = args.BrokerNodes };
                publisher = await RecordPublisher.StartAsync(broker, new ConsoleStatus(console), cancellationToken);
            }

            using var reader = new RecordFileReader(file, mapper);
            run = new PublishRun(new Sanitizer(settings), publisher, report,
                new PublishRunOptions { BatchSize = args.BatchSize, ResumeAfterRow = resumeAfter, DryRun = args.DryRun },
                confirmed =>
                {
                    if (!args.DryRun)
                    {
                        store.Save(key, new SourceProgress(file, fingerprint, confirmed));
                    }
                });
            await WithProgressAsync(console, reader, run, cancellationToken);
            if (!args.DryRun)
            {
                store.Delete(key);
            }
        }
        catch (Exception ex) when (ex is BrokerRefusedException or MappingException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            fatal = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file vanished or became unreadable, or the report or state folder is not writable.
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            fatal = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]interrupted:[/] confirmed rows are remembered; run the same command again to resume");
            fatal = true;
        }
        finally
        {
            report.Dispose();
            if (publisher is not null)
            {
                await publisher.DisposeAsync();
            }
        }

        if (run is not null)
        {
            PrintSummary(console, run.Counts, args.DryRun, report);
            if (args.StatsFile is not null)
            {
                WriteStats(args.StatsFile, run.Counts);
            }
        }
        return ExitCodes.For(fatal, run?.Counts);
    }

    internal static SanitizerSettings SettingsFor(MappingFile? mapping, string region)
    {
        TimeZoneInfo? zone = null;
        if (mapping?.TimeZone is { } id)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (TimeZoneNotFoundException ex)
            {
                throw new MappingException($"timeZone '{id}' is not a known time zone", ex);
            }
        }
        return new SanitizerSettings
        {
            PhoneRegions = RegionsFor(mapping, region),
            TimeZone = zone,
            DateFormats = mapping?.DateFormats ?? [],
        };
    }

    /// <summary>
    /// The mapping's <c>phoneRegions</c> or <c>phoneRegion</c>, else the command line's (<c>--region US,MX</c>: the
    /// agency's default region and its neighbours, as <c>./hub agency add</c> registered them).
    /// </summary>
    internal static IReadOnlyList<string> RegionsFor(MappingFile? mapping, string region)
    {
        IEnumerable<string> configured = mapping?.PhoneRegions is { } list ? list : mapping?.PhoneRegion is { } one ? [one] : region.Split(',');
        return PhoneRules.ParseRegions(configured, out var error)
            ?? throw new MappingException($"phone regions: {error}");
    }

    private static async Task WithProgressAsync(IAnsiConsole console, RecordFileReader reader, PublishRun run, CancellationToken cancellationToken)
    {
        var work = run.RunAsync(reader.ReadRows(), cancellationToken);
        if (!console.Profile.Capabilities.Interactive)
        {
            await work;
            return;
        }
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("publishing", maxValue: Math.Max(1, reader.Length));
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(150, CancellationToken.None));
                    task.Value = Math.Min(reader.Length, reader.Position);
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"published {run.Counts.RecordsPublished:N0}, rejected {run.Counts.RecordsRejected + run.Counts.RowsRejected:N0}");
                }
                task.Value = task.MaxValue;
            });
        await work;
    }

    private static void PrintSummary(IAnsiConsole console, PublishCounts counts, bool dryRun, RejectReport report)
    {
        var published = dryRun
            ? $"would publish {counts.RecordsValid.ToString("N0", CultureInfo.InvariantCulture)} records (dry run)"
            : $"published {counts.RecordsPublished.ToString("N0", CultureInfo.InvariantCulture)} records";
        var skipped = counts.RowsSkipped > 0 ? $" ({counts.RowsSkipped.ToString("N0", CultureInfo.InvariantCulture)} rows confirmed by an earlier run)" : "";
        var omitted = counts.ValuesOmitted > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; omitted {counts.ValuesOmitted:N0} invalid optional values (their records published without them)")
            : "";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read {counts.RowsRead:N0} rows{skipped}; {published}; rejected {counts.RecordsRejected:N0} records and {counts.RowsRejected:N0} unreadable rows{omitted}"));
        if (report.Lines > 0)
        {
            console.WriteLine($"reject report: {report.FilePath}");
        }
    }

    private static void WriteStats(string path, PublishCounts counts) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            rowsRead = counts.RowsRead,
            recordsPublished = counts.RecordsPublished,
            recordsRejected = counts.RecordsRejected,
            rowsRejected = counts.RowsRejected,
            valuesOmitted = counts.ValuesOmitted,
            firstPublishAt = counts.FirstPublishAt,
            lastConfirmAt = counts.LastConfirmAt,
        }));

    private sealed class ConsoleStatus(IAnsiConsole console) : IPublishStatus
    {
        private DateTimeOffset _lastPrinted = DateTimeOffset.MinValue;

        public void Retrying(string what, string reason, TimeSpan delay)
        {
            // Several batches wait at once; one line every few seconds is enough for a person.
            var now = DateTimeOffset.UtcNow;
            lock (this)
            {
                if (now - _lastPrinted < TimeSpan.FromSeconds(3))
                {
                    return;
                }
                _lastPrinted = now;
            }
            console.MarkupLineInterpolated($"[yellow]broker unavailable[/] ({what}: {reason}); retrying in {delay.TotalSeconds:0.#}s, keeping our place");
        }

        public void Recovered(string what) => console.MarkupLineInterpolated($"[green]broker available again[/] ({what})");
    }
}
