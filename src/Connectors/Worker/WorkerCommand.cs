using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Connectors.Alerts;
using SharingHub.Connectors.Cli;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Reporting;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;

namespace SharingHub.Connectors.Worker;

/// <summary>Arguments of <c>connector</c>.</summary>
internal sealed record WorkerArgs
{
    public required string Agency { get; init; }
    public required string ConfigFile { get; init; }
    public Uri? Broker { get; init; }

    /// <summary>The broker cluster's nodes (<c>--broker-nodes</c>); empty: the broker URL's host.</summary>
    public IReadOnlyList<RabbitMQ.Client.AmqpTcpEndpoint> BrokerNodes { get; init; } = [];
    public string? Password { get; init; }
    public required string StateDirectory { get; init; }
    public string Region { get; init; } = "US";
}

/// <summary>
/// <c>connector</c>: publishes continuously from a drop folder and/or a SQL query, until stopped. Progress is
/// persisted after every confirm, so a restart neither re-reads from scratch nor loses a row.
/// </summary>
internal static partial class WorkerCommand
{
    public static async Task<int> RunAsync(WorkerArgs args, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        var logger = loggers.CreateLogger("SharingHub.Connectors.Worker");

        WorkerConfig config;
        try
        {
            config = WorkerConfig.Load(args.ConfigFile);
        }
        catch (MappingException ex)
        {
            Log.Fatal(logger, ex.Message);
            return ExitCodes.Fatal;
        }
        if (args.Broker is null || string.IsNullOrEmpty(args.Password))
        {
            Log.Fatal(logger, "the broker URL and the agency's password are required (--broker and --password-file, or SHARINGHUB_BROKER_URL and SHARINGHUB_BROKER_PASSWORD)");
            return ExitCodes.Fatal;
        }

        var store = new ProgressStore(args.StateDirectory);
        try
        {
            var broker = new BrokerSettings(args.Broker, args.Agency, args.Password) { Nodes = args.BrokerNodes };
            // Only a worker with a record source publishes (and checks the hub's record exchange at start).
            await using var publisher = config.DropFolder is not null || config.Sql is not null
                ? await RecordPublisher.StartAsync(broker, new LogStatus(logger), cancellationToken)
                : null;
            var region = config.PhoneRegion ?? args.Region;
            // One source failing for good stops the other: a half-alive worker would look healthy while a source is dead.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sources = new List<Task>();
            if (config.DropFolder is { } drop)
            {
                sources.Add(DropFolderLoopAsync(drop, args.Agency, region, config.BatchSize, publisher!, store, logger, stopping.Token));
            }
            if (config.Sql is { } sql)
            {
                sources.Add(SqlLoopAsync(sql, args.Agency, region, config.BatchSize, publisher!, store, logger, stopping.Token));
            }
            if (config.Alerts is { } alerts)
            {
                sources.Add(AlertsLoopAsync(alerts, broker, args.StateDirectory, logger, stopping.Token));
            }
            var running = sources.ToList();
            while (running.Count > 0)
            {
                var ended = await Task.WhenAny(running);
                running.Remove(ended);
                if (ended.IsFaulted)
                {
                    await stopping.CancelAsync();
                }
            }
            if (sources.FirstOrDefault(t => t.IsFaulted) is { } failed)
            {
                ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
            }
            await Task.WhenAll(sources);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Stopped(logger);
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is BrokerRefusedException or SinkRefusedException or MappingException or IOException or UnauthorizedAccessException)
        {
            Log.Fatal(logger, ex.Message);
            return ExitCodes.Fatal;
        }
        catch (NpgsqlException ex)
        {
            var reason = Describe(ex);
            Log.SqlFailed(logger, reason);
            return ExitCodes.Fatal;
        }
    }

    private static async Task AlertsLoopAsync(AlertsConfig config, BrokerSettings broker, string stateDirectory, ILogger logger,
        CancellationToken cancellationToken)
    {
        await using var sink = AlertSinks.Parse(config.Sink, Environment.CurrentDirectory);
        (sink as FileAlertSink)?.CheckWritable();
        var drain = new AlertDrain(sink, new AlertDrainOptions
        {
            Broker = broker,
            StateDirectory = stateDirectory,
            Poll = TimeSpan.FromSeconds(config.PollSeconds),
        }, logger);
        await drain.RunAsync(cancellationToken);
    }

    private static async Task DropFolderLoopAsync(DropFolderConfig drop, string agency, string region, int batchSize,
        RecordPublisher publisher, ProgressStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var mapping = drop.Mapping is null ? null : MappingFile.Load(drop.Mapping);
        var mapper = mapping is null ? null : new RowMapper(mapping);
        var sanitizer = new Sanitizer(PublishCommand.SettingsFor(mapping, region));
        Directory.CreateDirectory(drop.Path);
        Log.Watching(logger, drop.Path);
        while (true)
        {
            foreach (var file in ReadyFiles(drop.Path))
            {
                var name = Path.GetFileName(file);
                var key = $"drop|{agency}|{file}";
                var fingerprint = ProgressStore.Fingerprint(file);
                var earlier = store.Load(key);
                var resumeAfter = earlier?.Fingerprint == fingerprint ? earlier.ConfirmedRows : 0;
                using var report = new RejectReport(ReportPath(Path.Combine(drop.Path, "rejects"), name));
                try
                {
                    using var reader = new RecordFileReader(file, mapper);
                    var run = new PublishRun(sanitizer, publisher, report,
                        new PublishRunOptions { BatchSize = batchSize, ResumeAfterRow = resumeAfter },
                        confirmed => store.Save(key, new SourceProgress(file, fingerprint, confirmed)));
                    await run.RunAsync(reader.ReadRows(), cancellationToken);
                    MoveTo(file, Path.Combine(drop.Path, "processed"));
                    store.Delete(key);
                    Log.FilePublished(logger, name, run.Counts.RowsRead, run.Counts.RecordsPublished, run.Counts.RecordsRejected + run.Counts.RowsRejected, run.Counts.ValuesOmitted);
                    if (report.Lines > 0)
                    {
                        Log.Rejects(logger, report.FilePath);
                    }
                }
                // A file that cannot be read to its end is set aside with its reason, never retried in a loop: the
                // rows before the fault were published, and the reason says where it stopped.
                catch (Exception ex) when (ex is MappingException or IOException or UnauthorizedAccessException or DecoderFallbackException)
                {
                    var reason = ex is MappingException ? ex.Message : $"{name}: cannot be read ({ex.GetType().Name})";
                    var failed = MoveTo(file, Path.Combine(drop.Path, "failed"));
                    await File.WriteAllTextAsync(failed + ".reason", reason + Environment.NewLine, cancellationToken);
                    store.Delete(key);
                    Log.FileFailed(logger, name, reason);
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(drop.PollSeconds), cancellationToken);
        }
    }

    /// <summary>Files ready to publish, oldest name first: not hidden, not partial, and left alone for two seconds.</summary>
    internal static IEnumerable<string> ReadyFiles(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f =>
            {
                var name = Path.GetFileName(f);
                return !name.StartsWith('.') && !name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
                    && !name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
                    && DateTime.UtcNow - File.GetLastWriteTimeUtc(f) > TimeSpan.FromSeconds(2);
            })
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Where a dropped file's rejects go: next to the reports of earlier files, never over one of them.</summary>
    private static string ReportPath(string folder, string name)
    {
        var path = Path.Combine(folder, name + ".rejects.csv");
        return File.Exists(path) ? Path.Combine(folder, $"{name}.{DateTime.UtcNow:yyyyMMddTHHmmssfff}.rejects.csv") : path;
    }

    private static string MoveTo(string file, string folder)
    {
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, Path.GetFileName(file));
        if (File.Exists(target))
        {
            target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file)}.{DateTime.UtcNow:yyyyMMddTHHmmss}{Path.GetExtension(file)}");
        }
        File.Move(file, target);
        return target;
    }

    private static async Task SqlLoopAsync(SqlSourceConfig sql, string agency, string region, int batchSize,
        RecordPublisher publisher, ProgressStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var mapping = MappingFile.Load(sql.Mapping);
        var mapper = new RowMapper(mapping);
        var sanitizer = new Sanitizer(PublishCommand.SettingsFor(mapping, region));
        var key = $"sql|{agency}|{sql.Name}";
        await using var dataSource = NpgsqlDataSource.Create(sql.ConnectionString);
        Log.Polling(logger, sql.Name);
        var outage = TimeSpan.Zero;
        while (true)
        {
            var hwm = store.Load(key)?.HighWaterMark ?? sql.InitialHighWaterMark;
            SqlBatch batch;
            try
            {
                batch = await ReadSqlAsync(dataSource, sql, mapper, hwm, cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient)
            {
                // The agency's database restarting is not the end of the worker: wait for it, keeping the mark.
                outage = outage == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(outage.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                var reason = Describe(ex);
                Log.SqlUnavailable(logger, sql.Name, reason, outage.TotalSeconds);
                await Task.Delay(outage, cancellationToken);
                continue;
            }
            if (outage > TimeSpan.Zero)
            {
                Log.SqlAvailable(logger, sql.Name);
                outage = TimeSpan.Zero;
            }
            if (batch.Rows.Count == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(sql.PollSeconds), cancellationToken);
                continue;
            }

            using var report = new RejectReport(Path.Combine(store.Directory, "rejects", $"{agency}-{sql.Name}-{DateTime.UtcNow:yyyyMMddTHHmmssfff}.rejects.csv"));
            var run = new PublishRun(sanitizer, publisher, report, new PublishRunOptions { BatchSize = batchSize }, confirmed =>
            {
                if (batch.SafeMark(confirmed) is { } mark)
                {
                    store.Save(key, new SourceProgress(sql.Name, sql.HighWaterMarkType, confirmed, mark));
                }
            });
            await run.RunAsync(batch.Rows, cancellationToken);
            Log.RowsPublished(logger, sql.Name, run.Counts.RowsRead, run.Counts.RecordsPublished, run.Counts.RecordsRejected + run.Counts.RowsRejected, run.Counts.ValuesOmitted, batch.Marks[^1]);
            if (report.Lines > 0)
            {
                Log.Rejects(logger, report.FilePath);
            }
        }
    }

    /// <summary>
    /// Rows of one poll and their high-water-mark values. Rows sharing a value are saved as a whole: the next
    /// query asks for values above the mark, so saving it halfway through a group would skip the rest of the group.
    /// </summary>
    internal sealed record SqlBatch(List<SourceRow> Rows, List<string> Marks)
    {
        /// <summary>The mark to save once the first <paramref name="confirmedRows"/> rows are confirmed, if any is safe yet.</summary>
        public string? SafeMark(long confirmedRows)
        {
            for (var through = (int)confirmedRows; through > 0; through--)
            {
                if (through == Marks.Count || Marks[through] != Marks[through - 1])
                {
                    return Marks[through - 1];
                }
            }
            return null;
        }
    }

    internal static async Task<SqlBatch> ReadSqlAsync(NpgsqlDataSource dataSource, SqlSourceConfig sql,
        RowMapper mapper, string? hwm, CancellationToken cancellationToken)
    {
        // A server-side cursor: the query's rows come maxRowsPerPoll at a time, whatever its LIMIT (or lack of one), and
        // the agency's database produces no more than that. Read-only, so a query can change nothing there.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand($"DECLARE sharinghub_poll NO SCROLL CURSOR FOR {sql.Query.Trim().TrimEnd(';')}", connection, transaction);
        var parameter = sql.HighWaterMarkType == "bigint"
            ? new NpgsqlParameter("hwm", NpgsqlDbType.Bigint) { Value = hwm is null ? long.MinValue : long.Parse(hwm, CultureInfo.InvariantCulture) }
            : new NpgsqlParameter("hwm", NpgsqlDbType.TimestampTz)
            {
                Value = hwm is null ? DateTime.MinValue.ToUniversalTime()
                    : DateTimeOffset.Parse(hwm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime,
            };
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await using var fetch = new NpgsqlCommand(
            string.Create(CultureInfo.InvariantCulture, $"FETCH FORWARD {sql.MaxRowsPerPoll} FROM sharinghub_poll"), connection, transaction);
        await using var reader = await fetch.ExecuteReaderAsync(cancellationToken);
        int column;
        try
        {
            column = reader.GetOrdinal(sql.HighWaterMarkColumn);
        }
        catch (IndexOutOfRangeException ex)
        {
            throw new MappingException($"sql source {sql.Name}: highWaterMarkColumn '{sql.HighWaterMarkColumn}' is not a column of the query's result", ex);
        }
        var rows = new List<SourceRow>();
        var marks = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(column))
            {
                throw new MappingException($"sql source {sql.Name}: the query returned a row whose {sql.HighWaterMarkColumn} is null; the high-water-mark column must always have a value");
            }
            var values = new Dictionary<string, string?>(reader.FieldCount, StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values[reader.GetName(i)] = reader.IsDBNull(i) ? null : Text(reader.GetValue(i));
            }
            var mark = reader.GetValue(column) switch
            {
                DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("O", CultureInfo.InvariantCulture),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture)!,
            };
            marks.Add(mark);
            rows.Add(new SourceRow(rows.Count + 1, rows.Count + 1, mapper.Map(values)));
        }

        // The query's LIMIT may have cut the last group of equal marks: leave that group to the next poll, which
        // starts with it (unless it is all this poll returned: then there is nothing more to wait for).
        var tail = marks.Count;
        while (tail > 0 && marks[tail - 1] == marks[^1])
        {
            tail--;
        }
        if (tail == 0 && marks.Count == sql.MaxRowsPerPoll)
        {
            throw new MappingException(
                $"sql source {sql.Name}: all {sql.MaxRowsPerPoll} rows of a poll (maxRowsPerPoll) share one {sql.HighWaterMarkColumn}; rows sharing a mark must be fewer than maxRowsPerPoll");
        }
        if (tail > 0)
        {
            rows.RemoveRange(tail, rows.Count - tail);
            marks.RemoveRange(tail, marks.Count - tail);
        }
        await reader.DisposeAsync();
        await transaction.CommitAsync(cancellationToken);
        return new SqlBatch(rows, marks);
    }

    /// <summary>
    /// An Npgsql error for the log. PostgreSQL quotes offending values in data and constraint errors (classes 22
    /// and 23), and the agency's rows must not reach a log: those give their SQLSTATE only.
    /// </summary>
    internal static string Describe(NpgsqlException ex) => ex switch
    {
        PostgresException { SqlState: [ '2', '2' or '3', ..] } pg => $"SQLSTATE {pg.SqlState} ({pg.ConstraintName ?? "a data error in a row"})",
        PostgresException pg => $"SQLSTATE {pg.SqlState}: {pg.MessageText}",
        _ => ex.Message,
    };

    private static string? Text(object value) => value switch
    {
        DateTime t when t.Kind == DateTimeKind.Utc => new DateTimeOffset(t).ToString("O", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private sealed class LogStatus(ILogger logger) : IPublishStatus
    {
        public void Retrying(string what, string reason, TimeSpan delay) => Log.Retrying(logger, what, reason, delay.TotalSeconds);

        public void Recovered(string what) => Log.Recovered(logger, what);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
        public static partial void Fatal(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Critical, Message = "the SQL source failed: {Reason}")]
        public static partial void SqlFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "stopped; confirmed progress is kept")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "watching {Folder}")]
        public static partial void Watching(ILogger logger, string folder);

        [LoggerMessage(Level = LogLevel.Information, Message = "polling SQL source {Source}")]
        public static partial void Polling(ILogger logger, string source);

        [LoggerMessage(Level = LogLevel.Information, Message = "{File}: read {Rows} rows, published {Published} records, rejected {Rejected}, omitted {Omitted} invalid optional values")]
        public static partial void FilePublished(ILogger logger, string file, long rows, long published, long rejected, long omitted);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Source}: read {Rows} rows, published {Published} records, rejected {Rejected}, omitted {Omitted} invalid optional values; high-water mark {Mark}")]
        public static partial void RowsPublished(ILogger logger, string source, long rows, long published, long rejected, long omitted, string mark);

        [LoggerMessage(Level = LogLevel.Warning, Message = "reject report: {Path}")]
        public static partial void Rejects(ILogger logger, string path);

        [LoggerMessage(Level = LogLevel.Error, Message = "{File} moved to failed/: {Reason}")]
        public static partial void FileFailed(ILogger logger, string file, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "broker unavailable ({What}: {Reason}); retrying in {Seconds}s")]
        public static partial void Retrying(ILogger logger, string what, string reason, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "broker available again ({What})")]
        public static partial void Recovered(ILogger logger, string what);

        [LoggerMessage(Level = LogLevel.Warning, Message = "SQL source {Source} unavailable ({Reason}); retrying in {Seconds}s, keeping the high-water mark")]
        public static partial void SqlUnavailable(ILogger logger, string source, string reason, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "SQL source {Source} available again")]
        public static partial void SqlAvailable(ILogger logger, string source);
    }
}
