using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SharingHub.Connectors.Cli;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Stops the shared RabbitMQ node, so it runs alone, after every parallel test.</summary>
[CollectionDefinition(nameof(BrokerRestartGroup), DisableParallelization = true)]
public sealed class BrokerRestartGroup;

[Collection(nameof(BrokerRestartGroup))]
[Trait("Category", "Disruptive")] // stops the shared broker: ./hub test runs it after every other test
public sealed class IngestionBrokerRestartTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task PublishCli_BrokerRestartedMidRun_EveryRowStoredExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        const int records = 60_000;
        var agency = await hub.AddAgencyAsync("S");
        var file = hub.WriteLines(CanonicalLines.Mixed(records));

        // Small batches make the run long enough to be cut in the middle.
        var publishing = hub.PublishAsync(agency, file, "--batch-size", "10");
        // Cut as soon as the first batches are confirmed (the connector has written its progress).
        var state = Path.Combine(hub.WorkDirectory, "state");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Directory.Exists(state) && Directory.EnumerateFiles(state, "*.json").Any()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
        }
        bool cutMidRun;
        try
        {
            await HubAsync("infra", "stop-rabbit");
            cutMidRun = !publishing.IsCompleted;
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        finally
        {
            // Whatever happened, the shared broker comes back for the tests after this one.
            await HubAsync("infra", "start-rabbit");
        }
        Assert.True(cutMidRun, "the connector finished before the broker stopped; the test proves nothing");

        var (exit, output) = await publishing.WaitAsync(TimeSpan.FromMinutes(4), ct);
        Assert.True(exit == ExitCodes.Success, output);
        Assert.Contains("broker unavailable", output, StringComparison.Ordinal);
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == records, TimeSpan.FromMinutes(3));
        var perKey = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.AgencyCode == agency.Code)
            .GroupBy(r => new { r.Kind, r.LocalId }).Select(g => g.Count()).Distinct().ToListAsync(ct));
        Assert.Equal([1], perKey);
    }

    /// <summary>Runs <c>./hub ARGS</c> of this checkout, with the test run's ports.</summary>
    private static async Task HubAsync(params string[] args)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "hub")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        var start = new ProcessStartInfo(Path.Combine(root.FullName, "hub")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"./hub {string.Join(' ', args)} failed: {await stderr}");
    }
}
