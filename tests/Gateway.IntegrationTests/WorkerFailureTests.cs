using System.Text.Json;
using Npgsql;
using SharingHub.Contracts.V1;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The worker's failure modes, through its own process (it logs to the console): a source that fails for good ends
/// the worker with exit code 1 and stops the other source; an agency database that goes away is waited for, with
/// back-off, and its rows are published once it is back.
/// </summary>
public sealed class WorkerFailureTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Worker_SqlQueryFailsForGood_Exit1AndTheDropFolderStopsWithIt()
    {
        var agency = await hub.AddAgencyAsync("G");
        await using var source = await TestDatabase.CreateAsync(hub.Infrastructure, Ct);
        var drop = Directory.CreateDirectory(Path.Combine(hub.WorkDirectory, $"drop-{agency.Code}")).FullName;
        // The drop folder alone would run forever; the query names a table the agency's database does not have.
        var config = WriteConfig(agency, new
        {
            dropFolder = new { path = drop, pollSeconds = 0.2 },
            sql = new
            {
                name = "cases",
                connectionString = source.ConnectionString,
                query = "SELECT id, row_version, surname FROM no_such_table WHERE row_version > @hwm ORDER BY row_version LIMIT 10",
                highWaterMarkColumn = "row_version",
                mapping = WriteMapping(agency),
                pollSeconds = 0.2,
            },
        });

        await using var worker = ConnectorProcess.Start(WorkerArgs(agency, config));
        var exit = await worker.WaitForExitAsync();

        Assert.True(exit == 1, $"exit {exit}: {worker.Output}");
        Assert.Contains("the SQL source failed", worker.Output, StringComparison.Ordinal);
        Assert.Contains("42P01", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_AgencyDatabaseGoesAway_WaitedForWithGrowingBackOffThenItsRowsPublished()
    {
        var agency = await hub.AddAgencyAsync("H");
        await using var source = await TestDatabase.CreateAsync(hub.Infrastructure, Ct);
        await ExecuteAsync(source, """
            CREATE SEQUENCE row_versions;
            CREATE TABLE persons (id int PRIMARY KEY, row_version bigint NOT NULL DEFAULT nextval('row_versions'), surname text);
            INSERT INTO persons (id, surname) VALUES (1, 'García'), (2, 'Lee');
            """);
        var direct = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        proxy.Start();
        var proxied = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Port = proxy.Port, Pooling = false };
        var config = WriteConfig(agency, new
        {
            sql = new
            {
                name = "cases",
                connectionString = proxied.ConnectionString,
                query = "SELECT id, row_version, surname FROM persons WHERE row_version > @hwm ORDER BY row_version LIMIT 10",
                highWaterMarkColumn = "row_version",
                mapping = WriteMapping(agency),
                pollSeconds = 0.2,
            },
        });

        await using var worker = ConnectorProcess.Start(WorkerArgs(agency, config));
        await ShowingOutputAsync(worker, hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 2, Eventually.Patience));

        // The database goes away: the worker says so and waits, each wait longer than the last.
        await proxy.StopAsync();
        await worker.WaitForOutputAsync("SQL source cases unavailable");
        await worker.WaitForOutputAsync("retrying in 1s");
        await worker.WaitForOutputAsync("retrying in 2s");
        Assert.False(worker.HasExited, worker.Output);
        await ExecuteAsync(source, "INSERT INTO persons (id, surname) VALUES (3, 'Kim')");

        proxy.Start();
        await worker.WaitForOutputAsync("SQL source cases available again");
        await ShowingOutputAsync(worker, hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-3"), r => r is not null, Eventually.Patience));

        await worker.InterruptAsync();
        var exit = await worker.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit}: {worker.Output}");
        Assert.Equal(3, await hub.CountAsync(agency.Code));
    }

    // A wait that fails says what the worker printed meanwhile.
    private static async Task ShowingOutputAsync(ConnectorProcess worker, Task wait)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}; the worker printed:\n{worker.Output}");
        }
    }

    private string[] WorkerArgs(TestAgency agency, string config) =>
    [
        "connector", "--agency", agency.Code, "--config", config, "--broker", agency.Broker.ToString(),
        "--password-file", agency.PasswordFile, "--state-dir", Path.Combine(hub.WorkDirectory, $"state-{agency.Code}"),
    ];

    private string WriteConfig(TestAgency agency, object config)
    {
        var path = Path.Combine(hub.WorkDirectory, $"{agency.Code}-{Guid.NewGuid():N}.connector.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    private string WriteMapping(TestAgency agency)
    {
        var path = Path.Combine(hub.WorkDirectory, $"{agency.Code}-sql.mapping.json");
        File.WriteAllText(path, """
            { "labels": { "sensitivity": "agencyOnly", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "{row_version}", "surname": "{surname}", "role": "victim" } } ] }
            """);
        return path;
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
