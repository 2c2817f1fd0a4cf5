using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharingHub.Connectors.Alerts;
using SharingHub.Connectors.Sources;

namespace SharingHub.Connectors.Worker;

/// <summary>The worker's configuration file. Relative paths are relative to the file itself.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class WorkerConfig
{
    /// <summary>Default phone region when a mapping sets none.</summary>
    public string? PhoneRegion { get; set; }

    /// <summary>Records per message.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Watch a folder for files to publish.</summary>
    public DropFolderConfig? DropFolder { get; set; }

    /// <summary>Poll a PostgreSQL query for new or changed rows.</summary>
    public SqlSourceConfig? Sql { get; set; }

    /// <summary>Drain the agency's alert queue to a file or a webhook.</summary>
    public AlertsConfig? Alerts { get; set; }

    public static WorkerConfig Load(string path)
    {
        WorkerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<WorkerConfig>(File.ReadAllText(path), MappingFile.Options);
        }
        catch (JsonException ex)
        {
            throw new MappingException($"{path}: {ex.Path}: {(ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown setting" : "invalid value")}", ex);
        }
        catch (IOException ex)
        {
            throw new MappingException($"{path}: {ex.Message}", ex);
        }
        if (config is null || (config.DropFolder is null && config.Sql is null && config.Alerts is null))
        {
            throw new MappingException($"{path}: configure a dropFolder, a sql source, alerts, or several of them");
        }
        if (config.BatchSize is < 1 or > 5000)
        {
            throw new MappingException($"{path}: batchSize must be between 1 and 5000");
        }
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (config.DropFolder is { } drop)
        {
            if (string.IsNullOrWhiteSpace(drop.Path))
            {
                throw new MappingException($"{path}: dropFolder.path is required");
            }
            Require(path, "dropFolder.pollSeconds", drop.PollSeconds);
            drop.Path = Path.GetFullPath(drop.Path, baseDir);
            drop.Mapping = drop.Mapping is null ? null : Path.GetFullPath(drop.Mapping, baseDir);
        }
        if (config.Sql is { } sql)
        {
            if (string.IsNullOrWhiteSpace(sql.ConnectionString))
            {
                throw new MappingException($"{path}: sql.connectionString is required");
            }
            if (string.IsNullOrWhiteSpace(sql.Query) || !sql.Query.Contains("@hwm", StringComparison.Ordinal))
            {
                throw new MappingException($"{path}: sql.query must use the parameter @hwm, e.g. WHERE updated_at > @hwm ORDER BY updated_at");
            }
            if (string.IsNullOrWhiteSpace(sql.HighWaterMarkColumn))
            {
                throw new MappingException($"{path}: sql.highWaterMarkColumn is required: the query's column that @hwm is compared with");
            }
            if (sql.HighWaterMarkType is not ("bigint" or "timestamp"))
            {
                throw new MappingException($"{path}: sql.highWaterMarkType must be bigint or timestamp");
            }
            if (sql.InitialHighWaterMark is { } initial && !(sql.HighWaterMarkType == "bigint"
                    ? long.TryParse(initial, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    : DateTimeOffset.TryParse(initial, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)))
            {
                throw new MappingException($"{path}: sql.initialHighWaterMark is not a {sql.HighWaterMarkType}");
            }
            if (string.IsNullOrWhiteSpace(sql.Name) || sql.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                throw new MappingException($"{path}: sql.name must be a plain name (it names the source's progress and reports)");
            }
            if (string.IsNullOrWhiteSpace(sql.Mapping))
            {
                throw new MappingException($"{path}: sql.mapping is required: the query's columns become records through a mapping file");
            }
            Require(path, "sql.pollSeconds", sql.PollSeconds);
            if (sql.MaxRowsPerPoll is < 1 or > 1_000_000)
            {
                throw new MappingException($"{path}: sql.maxRowsPerPoll must be between 1 and 1000000");
            }
            sql.Mapping = Path.GetFullPath(sql.Mapping, baseDir);
        }
        if (config.Alerts is { } alerts)
        {
            try
            {
                // Checked now, so a bad sink stops the worker at start; a relative file path is the config file's.
                var sink = AlertSinks.Parse(alerts.Sink, baseDir);
                alerts.Sink = sink.Name;
                sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (ArgumentException ex)
            {
                throw new MappingException($"{path}: alerts.sink: {ex.Message.Replace("--sink ", "", StringComparison.Ordinal)}", ex);
            }
            Require(path, "alerts.pollSeconds", alerts.PollSeconds);
        }
        return config;
    }

    private static void Require(string path, string key, double pollSeconds)
    {
        if (!(pollSeconds > 0 && pollSeconds <= 86_400))
        {
            throw new MappingException($"{path}: {key} must be more than 0 and at most 86400");
        }
    }
}

/// <summary>A folder where the agency's system drops export files.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class DropFolderConfig
{
    /// <summary>The folder. Published files move to <c>processed/</c>, unusable ones to <c>failed/</c>, reports go to <c>rejects/</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>Mapping for the dropped files; without it they must be canonical JSON lines.</summary>
    public string? Mapping { get; set; }

    /// <summary>Seconds between scans.</summary>
    public double PollSeconds { get; set; } = 5;
}

/// <summary>A PostgreSQL query polled with a high-water mark.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class SqlSourceConfig
{
    /// <summary>A name for the source, used for its progress and reports.</summary>
    public string Name { get; set; } = "sql";

    /// <summary>Npgsql connection string of the agency's database (read-only user recommended).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The query. It must select rows after <c>@hwm</c>, ordered by the high-water-mark column, with a LIMIT:
    /// <c>SELECT ... FROM persons WHERE row_version &gt; @hwm ORDER BY row_version LIMIT 5000</c>.
    /// </summary>
    public string Query { get; set; } = "";

    /// <summary>The column whose value only grows (a sequence, a row version, a last-modified time).</summary>
    public string HighWaterMarkColumn { get; set; } = "";

    /// <summary><c>bigint</c> or <c>timestamp</c> (timestamptz).</summary>
    public string HighWaterMarkType { get; set; } = "bigint";

    /// <summary>Where to start on the very first run; the lowest value by default.</summary>
    public string? InitialHighWaterMark { get; set; }

    /// <summary>The mapping from the query's columns to records.</summary>
    public string Mapping { get; set; } = "";

    /// <summary>Seconds between polls when there was nothing new.</summary>
    public double PollSeconds { get; set; } = 10;

    /// <summary>Rows read per poll at most (1-1,000,000; default 5,000): the query is read through a cursor, this many at a time.</summary>
    public int MaxRowsPerPoll { get; set; } = 5000;
}

/// <summary>The agency's alert queue, drained by the worker as <c>alerts</c> does.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AlertsConfig
{
    /// <summary><c>file:PATH</c> (JSON lines; relative to the configuration file) or <c>webhook:URL</c> (a POST per alert).</summary>
    public string Sink { get; set; } = "";

    /// <summary>Seconds between looks at an empty queue.</summary>
    public double PollSeconds { get; set; } = 1;
}
