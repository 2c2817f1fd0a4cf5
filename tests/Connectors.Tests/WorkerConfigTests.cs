using Npgsql;
using SharingHub.Connectors.Sources;
using SharingHub.Connectors.Worker;

namespace SharingHub.Connectors.Tests;

/// <summary>The worker's configuration file, its drop-folder scan and its high-water-mark bookkeeping.</summary>
public sealed class WorkerConfigTests : IDisposable
{
    private const string Sql = """
        "sql": { "connectionString": "Host=db;Database=cases", "query": "SELECT * FROM persons WHERE row_version > @hwm ORDER BY row_version LIMIT 5000",
                 "highWaterMarkColumn": "row_version", "mapping": "persons.mapping.json" }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private WorkerConfig Load(string json) => WorkerConfig.Load(_folder.File("connector.json", json));

    private string Error(string json) => Assert.Throws<MappingException>(() => Load(json)).Message;

    [Fact]
    public void Load_BothSources_RelativePathsResolvedAgainstTheConfigFile()
    {
        var config = Load($$"""{ "phoneRegion": "MX", "batchSize": 500, "dropFolder": { "path": "drop", "mapping": "export.mapping.json", "pollSeconds": 1.5 }, {{Sql}} }""");

        Assert.Equal("MX", config.PhoneRegion);
        Assert.Equal(500, config.BatchSize);
        Assert.Equal(_folder.Combine("drop"), config.DropFolder!.Path);
        Assert.Equal(_folder.Combine("export.mapping.json"), config.DropFolder.Mapping);
        Assert.Equal(1.5, config.DropFolder.PollSeconds);
        Assert.Equal(_folder.Combine("persons.mapping.json"), config.Sql!.Mapping);
        Assert.Equal("sql", config.Sql.Name);
        Assert.Equal("bigint", config.Sql.HighWaterMarkType);
        Assert.Equal(10, config.Sql.PollSeconds);
    }

    [Fact]
    public void Load_DropFolderOnly_CanonicalFilesByDefault()
    {
        var config = Load("""{ "dropFolder": { "path": "/var/exports" } }""");

        Assert.Null(config.DropFolder!.Mapping);
        Assert.Equal("/var/exports", config.DropFolder.Path);
        Assert.Equal(5, config.DropFolder.PollSeconds);
        Assert.Null(config.Sql);
    }

    [Fact]
    public void Load_AlertsOnly_FileSinkRelativeToTheConfigFile()
    {
        var config = Load("""{ "alerts": { "sink": "file:out/alerts.jsonl" } }""");

        Assert.Equal("file:" + _folder.Combine("out/alerts.jsonl"), config.Alerts!.Sink);
        Assert.Equal(1, config.Alerts.PollSeconds);
        Assert.Null(config.DropFolder);
        Assert.Null(config.Sql);
    }

    [Theory]
    [InlineData("""{ "phoneRegion": "US" }""", "configure a dropFolder, a sql source, alerts, or several of them")]
    [InlineData("""{ "alerts": { "sink": "ftp://host/x" } }""", "alerts.sink: must be file:PATH (JSON lines) or webhook:URL")]
    [InlineData("""{ "alerts": { "sink": "webhook:not a url" } }""", "is not an http:// or https:// URL")]
    [InlineData("""{ "alerts": { "sink": "file:" } }""", "the file path is empty")]
    [InlineData("""{ "alerts": { "sink": "file:a.jsonl", "pollSeconds": 0 } }""", "alerts.pollSeconds must be more than 0")]
    [InlineData("""{ "alerts": { "sink": "file:a.jsonl", "queue": "x" } }""", "$.alerts.queue: unknown setting")]
    [InlineData("""{ "dropFolder": { "path": "d", "pattern": "*.csv" } }""", "$.dropFolder.pattern: unknown setting")]
    [InlineData("""{ "dropFolder": { "path": "d", "pollSeconds": "often" } }""", "$.dropFolder.pollSeconds: invalid value")]
    [InlineData("""{ "dropFolder": { "path": "d", "pollSeconds": 0 } }""", "dropFolder.pollSeconds must be more than 0")]
    [InlineData("""{ "dropFolder": { "path": "" } }""", "dropFolder.path is required")]
    [InlineData("""{ "batchSize": 0, "dropFolder": { "path": "d" } }""", "batchSize must be between 1 and 5000")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p", "highWaterMarkColumn": "v", "mapping": "m.json" } }""", "sql.query must use the parameter @hwm")]
    [InlineData("""{ "sql": { "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v", "mapping": "m.json" } }""", "sql.connectionString is required")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "mapping": "m.json" } }""", "sql.highWaterMarkColumn is required")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v" } }""", "sql.mapping is required")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v", "highWaterMarkType": "text", "mapping": "m.json" } }""", "sql.highWaterMarkType must be bigint or timestamp")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v", "initialHighWaterMark": "yesterday", "mapping": "m.json" } }""", "sql.initialHighWaterMark is not a bigint")]
    [InlineData("""{ "sql": { "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v", "highWaterMarkType": "timestamp", "initialHighWaterMark": "42x", "mapping": "m.json" } }""", "sql.initialHighWaterMark is not a timestamp")]
    [InlineData("""{ "sql": { "name": "a/b", "connectionString": "Host=db", "query": "SELECT * FROM p WHERE v > @hwm", "highWaterMarkColumn": "v", "mapping": "m.json" } }""", "sql.name must be a plain name")]
    public void Load_Mistake_MappingExceptionNamingTheKey(string json, string expected)
    {
        var message = Error(json);

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.StartsWith(_folder.Combine("connector.json"), message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_MappingException()
    {
        Assert.Contains("absent.json", Assert.Throws<MappingException>(() => WorkerConfig.Load(_folder.Combine("absent.json"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadyFiles_HiddenPartialAndFreshFiles_LeftAlone()
    {
        var old = DateTime.UtcNow.AddMinutes(-1);
        foreach (var name in new[] { "b.csv", "a.jsonl", ".hidden.csv", "c.csv.tmp", "d.csv.part", "fresh.csv" })
        {
            File.SetLastWriteTimeUtc(_folder.File(name, "x"), name == "fresh.csv" ? DateTime.UtcNow : old);
        }
        Directory.CreateDirectory(_folder.Combine("processed"));
        File.SetLastWriteTimeUtc(_folder.File(Path.Combine("processed", "z.csv"), "x"), old);

        var ready = WorkerCommand.ReadyFiles(_folder.Path).Select(Path.GetFileName);

        Assert.Equal(["a.jsonl", "b.csv"], ready);
    }

    [Theory]
    [InlineData(new[] { "1", "2", "3" }, 2, "2")]
    [InlineData(new[] { "1", "2", "3" }, 3, "3")]
    [InlineData(new[] { "1", "2", "2", "3" }, 2, "1")]
    [InlineData(new[] { "1", "2", "2", "3" }, 3, "2")]
    [InlineData(new[] { "2", "2", "2" }, 2, null)]
    [InlineData(new[] { "2", "2", "2" }, 3, "2")]
    [InlineData(new[] { "1" }, 0, null)]
    public void SafeMark_RowsSharingAMark_SavedOnlyOnceTheWholeGroupIsConfirmed(string[] marks, long confirmed, string? expected)
    {
        var batch = new WorkerCommand.SqlBatch([], [.. marks]);

        Assert.Equal(expected, batch.SafeMark(confirmed));
    }

    [Fact]
    public void Describe_DataErrorQuotingAValue_OnlyTheSqlState()
    {
        var error = new PostgresException("invalid input syntax for type integer: \"María\"", "ERROR", "ERROR", "22P02");

        var described = WorkerCommand.Describe(error);

        Assert.Contains("22P02", described, StringComparison.Ordinal);
        Assert.DoesNotContain("María", described, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SchemaError_MessageKept()
    {
        var error = new PostgresException("relation \"persons\" does not exist", "ERROR", "ERROR", "42P01");

        Assert.Equal("SQLSTATE 42P01: relation \"persons\" does not exist", WorkerCommand.Describe(error));
    }
}
