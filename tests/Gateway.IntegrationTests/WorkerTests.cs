using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;
using SharingHub.TestSupport;
using Spectre.Console;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The connector's worker mode (<c>./hub connector</c>) against the real RabbitMQ and PostgreSQL: a drop folder and
/// a PostgreSQL source polled with a high-water mark. A spy queue bound to the hub's exchange counts what the worker
/// actually published, so "not re-read" is observed on the wire, not inferred from idempotent storage.
/// </summary>
public sealed class WorkerTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Worker_FileDroppedInFolder_PublishedOnceStoredAndMovedToProcessed()
    {
        var agency = await hub.AddAgencyAsync("W");
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        var drop = Directory.CreateDirectory(Path.Combine(hub.WorkDirectory, $"drop-{agency.Code}")).FullName;
        var config = WriteConfig(agency, new { dropFolder = new { path = drop, pollSeconds = 0.2 } });
        await using var worker = WorkerRun.Start(hub, agency, config);

        Drop(drop, "export-1.jsonl", CanonicalLines.Mixed(30, "D"));

        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 30, Patience);
        await WaitUntilAsync(() => File.Exists(Path.Combine(drop, "processed", "export-1.jsonl")), "the file to move to processed/");
        Assert.False(File.Exists(Path.Combine(drop, "export-1.jsonl")));
        // A later file is picked up, so the folder was scanned again after the first file was done with.
        Drop(drop, "export-2.jsonl", CanonicalLines.Mixed(3, "E"));
        await WaitUntilAsync(() => File.Exists(Path.Combine(drop, "processed", "export-2.jsonl")), "the second file to move to processed/");
        Assert.Equal(0, await worker.StopAsync());

        // Every publish was confirmed before the worker stopped, so the spy holds all of them: the first file once.
        var published = await spy.DrainAsync();
        Assert.Equal(33, published.Count);
        Assert.Equal(33, published.Distinct().Count());
        Assert.Equal(30, published.Count(record => record.Contains(":DP-", StringComparison.Ordinal)
            || record.Contains(":DT-", StringComparison.Ordinal) || record.Contains(":DL-", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(drop, "rejects")));
    }

    [Fact]
    public async Task Worker_DroppedFilesWithBadRowsOrUnreadable_RejectsAndOmissionsReportedFailedSetAsideTheRestPublished()
    {
        var agency = await hub.AddAgencyAsync("B");
        var drop = Directory.CreateDirectory(Path.Combine(hub.WorkDirectory, $"drop-{agency.Code}")).FullName;
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [
                { "kind": "person", "omitInvalid": ["birthDate"],
                  "fields": { "localId": "P-{id}", "version": "1", "surname": "{surname}", "role": "{role}", "birthDate": "{dob}" } },
                { "kind": "phone", "when": "{phone}", "fields": { "localId": "P-{id}-T", "version": "1", "subjectRef": "P-{id}", "number": "{phone}" } } ] }
            """, Ct);
        var config = WriteConfig(agency, new { dropFolder = new { path = drop, mapping, pollSeconds = 0.2 } });
        await using var worker = WorkerRun.Start(hub, agency, config);

        // Names sort in reading order: the broken file first, so the good ones show the worker went on.
        Drop(drop, "a-broken.json", ["""[{"id": 1, "surname": "Lee", "role": "victim"}, {"id": 2, """]);
        Drop(drop, "b-export.json", [
            """[{"id": 10, "surname": "García", "role": "victim", "phone": "+52 55 4512 7781"},""",
            """ {"id": 11, "surname": "Kim", "role": "suspect"},""",
            """ {"id": 12, "surname": "Pérez", "role": "witness", "phone": "12"},""",
            """ {"id": 13, "surname": "Ruiz", "role": "victim", "dob": "1955-11-92"}]""",
        ]);

        await WaitUntilAsync(() => File.Exists(Path.Combine(drop, "processed", "b-export.json")), "the good file to move to processed/");
        Assert.True(File.Exists(Path.Combine(drop, "failed", "a-broken.json")));
        // One message at a time on the hub: once the last file's last record is stored, everything before it was handled.
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-13"), r => r is not null, Patience);
        var stored = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.AgencyCode == agency.Code)
            .Select(r => r.LocalId).ToListAsync(Ct));
        Assert.Equal(["P-10", "P-10-T", "P-12", "P-13"], stored.Order(StringComparer.Ordinal));
        var report = await File.ReadAllLinesAsync(Path.Combine(drop, "rejects", "b-export.json.rejects.csv"), Ct);
        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "2,person,P-11,labels.justification,required,a suspect needs a justification (28 CFR 23 reasonable suspicion),rejected",
            "3,phone,P-12-T,number,not_a_phone,is not a phone number (read with default region US),rejected",
            "4,person,P-13,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted",
        ], report);
        Assert.Null((await hub.FindAsync(agency.Code, RecordKind.Person, "P-13"))!.BirthYear);
        Assert.Equal(0, await worker.StopAsync());
    }

    [Fact]
    public async Task Worker_SqlSourceRestarted_PublishesOnlyRowsAboveTheSavedHighWaterMark()
    {
        var agency = await hub.AddAgencyAsync("Q");
        await using var source = await AgencyDatabase.CreateAsync(hub.Infrastructure);
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        await source.InsertAsync((1, "García", "(713) 555-0101"), (2, "Lee", null), (3, "Kim", "12"), (4, "Pérez", null), (5, "Ruiz", null));
        var config = WriteConfig(agency, new
        {
            sql = new
            {
                name = "cases",
                connectionString = source.Database.ConnectionString,
                query = "SELECT id, row_version, surname, phone FROM persons WHERE row_version > @hwm ORDER BY row_version LIMIT 3",
                highWaterMarkColumn = "row_version",
                mapping = WriteSqlMapping(agency),
                pollSeconds = 0.2,
            },
        });
        var state = Path.Combine(hub.WorkDirectory, $"state-{agency.Code}");

        await using (var first = WorkerRun.Start(hub, agency, config, state))
        {
            await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 6, Patience);
            // A row added while it runs is published: the source was polled again after the first rows were done.
            await source.InsertAsync((6, "Torres", null));
            await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-6"), r => r is not null, Patience);
            Assert.Equal(0, await first.StopAsync());
        }
        var firstRun = await spy.DrainAsync();
        Assert.Equal(["person:P-1", "person:P-2", "person:P-3", "person:P-4", "person:P-5", "person:P-6", "phone:P-1-T"], firstRun.Order(StringComparer.Ordinal));
        // The bad phone of row 3 went to the source's reject report; its person was published.
        var report = Assert.Single(Directory.GetFiles(Path.Combine(state, "rejects"), $"{agency.Code}-cases-*.rejects.csv"));
        Assert.Contains(",phone,P-3-T,number,not_a_phone,is not a phone number", await File.ReadAllTextAsync(report, Ct), StringComparison.Ordinal);

        // While the worker is down: a new row, and row 2 changes (a new row_version).
        await source.InsertAsync((7, "Smith", "+52 55 4512 7781"));
        await source.ExecuteAsync("UPDATE persons SET surname = 'Lee Wong', row_version = nextval('row_versions') WHERE id = 2");

        await using (var second = WorkerRun.Start(hub, agency, config, state))
        {
            await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-2"), r => r?.Version > 2, Patience);
            await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 9, Patience);
            await source.InsertAsync((8, "Vega", null));
            await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-8"), r => r is not null, Patience);
            Assert.Equal(0, await second.StopAsync());
        }
        var secondRun = await spy.DrainAsync();
        Assert.Equal(["person:P-2", "person:P-7", "person:P-8", "phone:P-7-T"], secondRun.Order(StringComparer.Ordinal));
        Assert.Equal("Lee Wong", (await hub.FindAsync(agency.Code, RecordKind.Person, "P-2"))!.Surname);
    }

    [Fact]
    public async Task Worker_DroppedFileTooLargeToRead_FailedWithReasonFileNextFilePublished()
    {
        var agency = await hub.AddAgencyAsync("F");
        var drop = Directory.CreateDirectory(Path.Combine(hub.WorkDirectory, $"drop-{agency.Code}")).FullName;
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "surname": "{surname}", "role": "victim" } } ] }
            """, Ct);
        var config = WriteConfig(agency, new { dropFolder = new { path = drop, mapping, pollSeconds = 0.2 } });
        await using var worker = WorkerRun.Start(hub, agency, config);

        // An array element of 2 MB: the worker must neither hold it nor stop on it.
        Drop(drop, "a-huge.json", [$$"""[{"id": 1, "surname": "Lee"}, {"id": 2, "surname": "{{new string('x', 2 << 20)}}"}]"""]);
        Drop(drop, "b-good.json", ["""[{"id": 3, "surname": "Kim"}]"""]);

        await WaitUntilAsync(() => File.Exists(Path.Combine(drop, "processed", "b-good.json")), "the good file to move to processed/");
        Assert.True(File.Exists(Path.Combine(drop, "failed", "a-huge.json")));
        var reason = await File.ReadAllTextAsync(Path.Combine(drop, "failed", "a-huge.json.reason"), Ct);
        Assert.Contains("element 2 of the JSON array is larger than", reason, StringComparison.Ordinal);
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-3"), r => r is not null, Patience);
        Assert.Equal(0, await worker.StopAsync());
    }

    [Fact]
    public async Task Worker_SqlQueryWithoutLimit_ReadInPollsOfMaxRowsPerPoll()
    {
        var agency = await hub.AddAgencyAsync("M");
        await using var source = await AgencyDatabase.CreateAsync(hub.Infrastructure);
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        string[] names = ["García", "Lee", "Kim", "Pérez", "Ruiz", "Torres", "Smith", "Nguyen"];
        await source.InsertAsync([.. names.Select((name, i) => (i + 1, name, (string?)null))]);
        var config = WriteConfig(agency, new
        {
            sql = new
            {
                name = "cases",
                connectionString = source.Database.ConnectionString,
                query = "SELECT id, row_version, surname, phone FROM persons WHERE row_version > @hwm ORDER BY row_version",
                highWaterMarkColumn = "row_version",
                mapping = WriteSqlMapping(agency),
                pollSeconds = 0.2,
                maxRowsPerPoll = 3,
            },
        });

        await using (var worker = WorkerRun.Start(hub, agency, config))
        {
            await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 8, Patience);
            Assert.Equal(0, await worker.StopAsync());
        }
        var messages = await spy.DrainMessagesAsync();
        Assert.All(messages, m => Assert.InRange(m.Records.Count, 1, 3));
        Assert.Equal(8, messages.Sum(m => m.Records.Count));
    }

    private string WriteConfig(TestAgency agency, object config)
    {
        var path = Path.Combine(hub.WorkDirectory, $"{agency.Code}-{Guid.NewGuid():N}.connector.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    private string WriteSqlMapping(TestAgency agency)
    {
        var path = Path.Combine(hub.WorkDirectory, $"{agency.Code}-sql.mapping.json");
        File.WriteAllText(path, """
            { "labels": { "sensitivity": "agencyOnly", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [
                { "kind": "person", "fields": { "localId": "P-{id}", "version": "{row_version}", "surname": "{surname}", "role": "victim" } },
                { "kind": "phone", "when": "{phone}", "fields": { "localId": "P-{id}-T", "version": "{row_version}", "subjectRef": "P-{id}", "number": "{phone}" } } ] }
            """);
        return path;
    }

    /// <summary>Drops a file the way an export job should: written under a partial name, then renamed into place.</summary>
    private static void Drop(string folder, string name, IEnumerable<string> lines)
    {
        var partial = Path.Combine(folder, name + ".part");
        File.WriteAllLines(partial, lines, new UTF8Encoding(false));
        // The worker leaves files alone until they have been still for two seconds; this one is finished.
        File.SetLastWriteTimeUtc(partial, DateTime.UtcNow.AddMinutes(-1));
        File.Move(partial, Path.Combine(folder, name));
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Eventually.UntilAsync(condition, what, Patience, Ct);

    /// <summary>The worker running in-process through the connector's command line, exactly as <c>./hub connector</c> runs it.</summary>
    private sealed class WorkerRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<int> _exit;
        private readonly StringWriter _output = new();

        private WorkerRun(TestAgency agency, string config, string state)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(_output),
                Interactive = InteractionSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
            });
            string[] args =
            [
                "connector", "--agency", agency.Code, "--config", config,
                "--broker", agency.Broker.ToString(), "--password-file", agency.PasswordFile, "--state-dir", state,
            ];
            _exit = Task.Run(() => ConnectorCli.RunAsync(args, console, _stop.Token), CancellationToken.None);
        }

        public static WorkerRun Start(IngestionFixture hub, TestAgency agency, string config, string? state = null) =>
            new(agency, config, state ?? Path.Combine(hub.WorkDirectory, $"state-{agency.Code}"));

        /// <summary>Stops the worker as Ctrl+C does; returns its exit code.</summary>
        public async Task<int> StopAsync()
        {
            Assert.False(_exit.IsCompleted, $"the worker ended on its own with exit code {(_exit.IsCompletedSuccessfully ? _exit.Result : -1)}");
            await _stop.CancelAsync();
            return await _exit.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _exit.WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                _stop.Dispose();
                _output.Dispose();
            }
        }
    }

    /// <summary>An agency's own case database: a table of persons with a row-version sequence, as a case system keeps one.</summary>
    private sealed class AgencyDatabase : IAsyncDisposable
    {
        private AgencyDatabase(TestDatabase database) => Database = database;

        public TestDatabase Database { get; }

        public static async Task<AgencyDatabase> CreateAsync(TestInfrastructure infrastructure)
        {
            var database = new AgencyDatabase(await TestDatabase.CreateAsync(infrastructure, Ct));
            await database.ExecuteAsync("""
                CREATE SEQUENCE row_versions;
                CREATE TABLE persons (id int PRIMARY KEY, row_version bigint NOT NULL DEFAULT nextval('row_versions'),
                                      surname text, phone text, narrative text DEFAULT 'never shared');
                """);
            return database;
        }

        public async Task InsertAsync(params (int Id, string Surname, string? Phone)[] rows)
        {
            await using var connection = await Database.OpenAsync(Ct);
            foreach (var (id, surname, phone) in rows)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO persons (id, surname, phone) VALUES ($1, $2, $3)", connection);
                insert.Parameters.AddWithValue(id);
                insert.Parameters.AddWithValue(surname);
                insert.Parameters.AddWithValue((object?)phone ?? DBNull.Value);
                await insert.ExecuteNonQueryAsync(Ct);
            }
        }

        public async Task ExecuteAsync(string sql)
        {
            await using var connection = await Database.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }
}
