using SharingHub.Connectors.Publishing;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The connector's promises to the scripts that run it, end to end through its own process against the real broker:
/// exit code 1 for each fatal case the README lists, and a re-run that re-sends only the unconfirmed rows. Exit codes
/// are the README's literal numbers, not the connector's own constants, so a changed constant shows here.
/// </summary>
public sealed class ConnectorExitCodeTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    [Theory]
    [InlineData("--batch-size 0", "--batch-size must be between 1 and 5000")]
    [InlineData("--broker http://127.0.0.1:1/", "--broker must be an amqp:// or amqps:// URL")]
    [InlineData("--broker-nodes 127.0.0.1:0,127.0.0.1:5672", "--broker-nodes must be host:port pairs separated by commas")]
    [InlineData("--no-such-option", "--no-such-option")]
    public async Task Publish_BadArguments_Exit1NamingTheArgument(string extra, string expected)
    {
        var agency = await hub.AddAgencyAsync("X");
        var file = hub.WriteLines([CanonicalLines.Person("P-1")]);

        // A bad value replaces the good one; an unknown option comes on top.
        var args = PublishArgs(agency, file).ToList();
        var words = extra.Split(' ');
        var at = args.IndexOf(words[0]);
        if (at >= 0)
        {
            args[at + 1] = words[1];
        }
        else
        {
            args.AddRange(words);
        }

        var (exit, output) = await ConnectorProcess.RunAsync([.. args]);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_WithoutTheRequiredFile_Exit1()
    {
        var agency = await hub.AddAgencyAsync("X");

        var (exit, output) = await ConnectorProcess.RunAsync("publish", "--agency", agency.Code, "--broker", agency.Broker.ToString(),
            "--password-file", agency.PasswordFile, "--state-dir", StateDirectory);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains("--file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_BadMapping_Exit1NamingTheSettingAndNothingPublished()
    {
        var agency = await hub.AddAgencyAsync("M");
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "delimeter": ";",
              "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{surname}" } } ] }
            """, TestContext.Current.CancellationToken);
        var file = Path.Combine(hub.WorkDirectory, $"{agency.Code}.csv");
        await File.WriteAllTextAsync(file, "id,surname\n1,Lee\n", TestContext.Current.CancellationToken);

        var (exit, output) = await ConnectorProcess.RunAsync([.. PublishArgs(agency, file), "--mapping", mapping]);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains("delimeter", output, StringComparison.Ordinal);
        Assert.Empty(await spy.DrainAsync());
    }

    [Fact]
    public async Task Publish_FileThatCannotBeReadToItsEnd_Exit1NamingTheFile()
    {
        var agency = await hub.AddAgencyAsync("U");
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{surname}" } } ] }
            """, TestContext.Current.CancellationToken);
        // A JSON array broken after its first element: the export was cut off.
        var file = Path.Combine(hub.WorkDirectory, $"{agency.Code}-export.json");
        await File.WriteAllTextAsync(file, """[{"id": 1, "surname": "Lee"}, {"id": 2, """, TestContext.Current.CancellationToken);

        var (exit, output) = await ConnectorProcess.RunAsync([.. PublishArgs(agency, file), "--mapping", mapping]);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains($"{agency.Code}-export.json: is not a valid JSON array", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_MissingFile_Exit1()
    {
        var agency = await hub.AddAgencyAsync("F");
        var missing = Path.Combine(hub.WorkDirectory, "no-such-export.jsonl");

        var (exit, output) = await ConnectorProcess.RunAsync(PublishArgs(agency, missing));

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains($"{missing} does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_BrokerRefusesTheCredentials_Exit1()
    {
        var agency = await hub.AddAgencyAsync("C");
        var wrong = Path.Combine(hub.WorkDirectory, $"{agency.Code}.wrong-secret");
        await File.WriteAllTextAsync(wrong, "not-the-password", TestContext.Current.CancellationToken);
        var file = hub.WriteLines([CanonicalLines.Person("P-1")]);

        var (exit, output) = await ConnectorProcess.RunAsync("publish", "--agency", agency.Code, "--file", file,
            "--broker", agency.Broker.ToString(), "--password-file", wrong, "--state-dir", StateDirectory);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Equal(0, await hub.CountAsync(agency.Code));
    }

    [Fact]
    public async Task Publish_InterruptedThenRunAgain_Exit1ThenTheReRunSendsExactlyTheUnconfirmedRows()
    {
        var agency = await hub.AddAgencyAsync("I");
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        var lines = CanonicalLines.Mixed(30_000).ToList();
        var file = hub.WriteLines(lines);
        var state = Path.Combine(hub.WorkDirectory, $"state-{agency.Code}");
        var progress = new ProgressStore(state);
        var key = $"file|{agency.Code}|{file}";

        long confirmed;
        await using (var first = ConnectorProcess.Start([.. PublishArgs(agency, file, state), "--batch-size", "10"]))
        {
            // Ctrl+C once the first batches are confirmed (its progress is on disk), well before the end.
            await Eventually.UntilAsync(() => progress.Load(key) is not null || first.HasExited, "the first confirmed batches",
                cancellationToken: TestContext.Current.CancellationToken);
            Assert.False(first.HasExited, $"the run ended before it could be interrupted: {first.Output}");
            await first.InterruptAsync();

            var exit = await first.WaitForExitAsync();
            Assert.True(exit == 1, $"exit {exit}: {first.Output}");
            Assert.Contains("interrupted", first.Output, StringComparison.Ordinal);
            confirmed = progress.Load(key)!.ConfirmedRows;
        }
        Assert.InRange(confirmed, 1, lines.Count - 1);
        var firstRun = await spy.DrainAsync();
        Assert.True(firstRun.Count >= confirmed, $"{firstRun.Count} records published, {confirmed} rows confirmed");

        var (again, output) = await ConnectorProcess.RunAsync([.. PublishArgs(agency, file, state), "--batch-size", "10"]);

        Assert.True(again == 0, $"exit {again}: {output}");
        Assert.Contains($"resuming: rows 1-{confirmed} were confirmed by an earlier run", output, StringComparison.Ordinal);
        var secondRun = await spy.DrainAsync();
        var unconfirmed = lines.Skip((int)confirmed).Select(KindAndLocalId).ToList();
        Assert.Equal(unconfirmed.Order(StringComparer.Ordinal), secondRun.Order(StringComparer.Ordinal));
        Assert.Null(progress.Load(key));
        // The hub stores 3,000 small messages one at a time: patience for a loaded machine, not a claim.
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == lines.Count, TimeSpan.FromMinutes(10));
    }

    private string StateDirectory => Path.Combine(hub.WorkDirectory, "state");

    private string[] PublishArgs(TestAgency agency, string file, string? state = null) =>
    [
        "publish", "--agency", agency.Code, "--file", file, "--broker", agency.Broker.ToString(),
        "--password-file", agency.PasswordFile, "--state-dir", state ?? StateDirectory,
    ];

    // "person:P-0" for a canonical line of a person with localId P-0.
    private static string KindAndLocalId(string line)
    {
        using var json = System.Text.Json.JsonDocument.Parse(line);
        return $"{json.RootElement.GetProperty("kind").GetString()}:{json.RootElement.GetProperty("localId").GetString()}";
    }
}
