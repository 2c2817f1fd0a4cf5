using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using SharingHub.Bench.Match;

namespace SharingHub.Bench.Chaos;

/// <summary>
/// <c>./hub bench chaos [--records N]</c> (issue 15 item 5), on a running <c>./hub cluster</c>: the agencies that
/// <c>./hub</c> registered publish a population whose cross-agency matches are known in advance
/// (<see cref="ChaosPopulation"/>) through the real connector, one process each, against every broker node. While the
/// records flow it stops one RabbitMQ node, kills one Gateway with SIGKILL and restarts PostgreSQL (through
/// <c>./hub</c>, as an operator would), then starts them all again. Once everything is stored, matched and relayed, it
/// drains each agency's alert queue with the connector's own drain and checks (<see cref="ChaosLedger"/>) that every
/// record was stored once, every expected match found once, and every alert raised once and delivered once. It prints
/// the counts, the stored rate before, during and after the faults and the recovery time, and exits 1 on any loss or
/// duplicate.
/// </summary>
internal static class ChaosBenchmark
{
    private static readonly string[] Required = ["--agencies", "--connector", "--broker", "--broker-nodes", "--secrets", "--hub"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        var agencies = options["--agencies"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var records = Int(options, "--records", 100_000, 100);
        var batchSize = Int(options, "--batch-size", 20, 1);
        var faultAt = double.Parse(options.GetValueOrDefault("--fault-at", "0.2"), CultureInfo.InvariantCulture);
        if (faultAt is <= 0 or >= 1)
        {
            throw new ArgumentException("--fault-at is the share of the records stored before the faults begin, between 0 and 1 (exclusive)");
        }
        var plan = new FaultPlan(
            Node: Int(options, "--stop-node", 1, 1),
            Gateway: Int(options, "--kill-gateway", 1, 1),
            Gap: TimeSpan.FromSeconds(Int(options, "--fault-gap", 5, 0)),
            DatabaseDown: TimeSpan.FromSeconds(Int(options, "--pg-down", 5, 0)));
        var database = Environment.GetEnvironmentVariable("ConnectionStrings__hubdb")
            ?? throw new InvalidOperationException("ConnectionStrings__hubdb is not set (run through ./hub bench chaos)");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(Int(options, "--timeout-minutes", 90, 1)));
        var work = Directory.CreateTempSubdirectory("sharinghub-chaos-");
        await using var data = new NpgsqlDataSourceBuilder(database)
        {
            ConnectionStringBuilder = { Timeout = 5, CommandTimeout = 60 },
        }.Build();
        Exception? failure = null;
        try
        {
            await DeleteEarlierRunsAsync(data, agencies);
            var population = ChaosPopulation.Create(records, agencies, Double(options, "--shared", 0.1));
            var check = ChaosEngineCheck.Run(population);
            if (check.BelowMatch.Count > 0)
            {
                // A flaw of the benchmark's population, not a loss of the hub's: nothing is published.
                throw new BenchFailedException($"the population's planned pairs must score Match; these do not: {string.Join("; ", check.BelowMatch.Take(5))}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"population         {population.Count:N0} persons over {agencies.Length} agencies ({string.Join(", ", agencies)}); {population.Expected.Count:N0} published by two agencies (the expected matches), the rest once"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine check       every planned pair scores Match in-process; of {check.Candidates:N0} other cross-agency pairs sharing a blocking key, {check.Possible:N0} score Possible and {check.Match:N0} Match (the hub may find those too: reported below as unexpected)"));
            Console.WriteLine($"machine            {Environment.ProcessorCount} cores; load average {LoadAverage()} before the run");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"faults             at {faultAt:P0} stored: stop RabbitMQ node {plan.Node}; +{plan.Gap.TotalSeconds:0} s kill -9 Gateway c{plan.Gateway}; +{plan.Gap.TotalSeconds:0} s restart PostgreSQL ({plan.DatabaseDown.TotalSeconds:0} s down); +{plan.Gap.TotalSeconds:0} s, once the node has stopped, start the node and the Gateway again"));

            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (agency, list) in population.Records)
            {
                files[agency] = Path.Combine(work.FullName, agency + ".jsonl");
                // The same canonical person line the other benchmarks publish (SyntheticRecord).
                await File.WriteAllLinesAsync(files[agency], list.Select(p =>
                    new SyntheticRecord("Person", p.LocalId, Given: p.Given, Surname: p.Surname, Sex: p.Sex, Ssn: p.Ssn).ToCanonicalLine()), cancel.Token);
            }

            var clock = Stopwatch.StartNew();
            var sampler = new ChaosSampler(data, agencies, clock);
            var sampling = sampler.RunAsync(cancel.Token);
            var connectors = agencies.Select(a => Connector(options, "publish", a, work.FullName,
                ["--file", files[a], "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture)], cancel.Token)).ToList();
            var faults = new FaultRunner(options["--hub"], clock);
            var faulting = RunFaultsAsync(faults, plan, sampler, (long)(records * faultAt), cancel.Token);

            foreach (var (agency, result) in agencies.Zip(await Task.WhenAll(connectors)))
            {
                if (result.ExitCode != 0)
                {
                    throw new BenchFailedException($"the connector of {agency} exited {result.ExitCode}: {Tail(result.Output)}");
                }
                var retries = result.Output.Split('\n').Count(l => l.Contains("retrying", StringComparison.Ordinal));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"connector {agency,-9} done at {clock.Elapsed.TotalSeconds,6:0.0} s, {retries} 'broker unavailable, retrying' lines"));
            }
            var published = clock.Elapsed;
            await faulting;
            var settled = await SettleAsync(data, agencies, records, clock, cancel.Token);
            sampler.Stop();
            await sampling;

            // Every alert is relayed (the relay's cursor past it, the broker's confirm in hand): the queues hold them all; drain each.
            var delivered = new List<string>();
            var drainedRepeats = 0L;
            foreach (var agency in agencies)
            {
                var sink = Path.Combine(work.FullName, $"alerts-{agency}.jsonl");
                var drain = await Connector(options, "alerts", agency, work.FullName, ["--sink", "file:" + sink, "--once"], cancel.Token);
                if (drain.ExitCode != 0)
                {
                    throw new BenchFailedException($"the alert drain of {agency} exited {drain.ExitCode}: {Tail(drain.Output)}");
                }
                drainedRepeats += RepeatsDropped(drain.Output);
                delivered.AddRange(DrainedIds(sink));
            }

            var stored = await ChaosReadBack.RecordsAsync(data, agencies, cancel.Token);
            var found = await ChaosReadBack.MatchesAsync(data, agencies, cancel.Token);
            var raised = await ChaosReadBack.AlertsAsync(data, agencies, cancel.Token);
            var recordCheck = ChaosLedger.CheckRecords(population, stored);
            var matchCheck = ChaosLedger.CheckMatches(population.Expected, found);
            var expectedIds = population.Expected.ToHashSet();
            var alertCheck = ChaosLedger.CheckAlerts(raised, delivered,
                found.Where(f => expectedIds.Contains(f.Pair)).ToList());

            Console.WriteLine($"load average       {LoadAverage()} after the run");
            foreach (var line in faults.Log)
            {
                Console.WriteLine(line);
            }
            ChaosReport.Print(sampler.Samples, faults, published, settled, records);
            ChaosReport.Print(recordCheck, matchCheck, alertCheck, drainedRepeats);
            return recordCheck.Passed && matchCheck.Passed && alertCheck.Passed ? 0 : 1;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            if (!options.ContainsKey("--keep"))
            {
                work.Delete(recursive: true);
                await BenchAgencies.CleanUpAsync(() => BenchAgencies.DeleteAsync(data, agencies), failure);
            }
            else
            {
                Console.WriteLine($"kept               {work.FullName} (the published files and the drained alerts) and the agencies' records, matches and alerts");
            }
        }
    }

    /// <summary>What the fault sequence does to the cluster, and the pauses between the steps.</summary>
    internal sealed record FaultPlan(int Node, int Gateway, TimeSpan Gap, TimeSpan DatabaseDown);

    // Every run publishes the same persons: a run kept with --keep would match the next one's. Its data goes first.
    private static async Task DeleteEarlierRunsAsync(NpgsqlDataSource data, string[] agencies)
    {
        var earlier = new List<string>();
        await using (var command = data.CreateCommand("""
            SELECT a.code FROM agencies a
            WHERE a.code ~ '^CX[0-9]{6}[A-Z]$' AND a.code <> ALL(@a) AND EXISTS (SELECT 1 FROM records r WHERE r.agency_code = a.code)
            ORDER BY a.code
            """))
        {
            command.Parameters.AddWithValue("a", agencies);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                earlier.Add(reader.GetString(0));
            }
        }
        if (earlier.Count > 0)
        {
            Console.WriteLine($"earlier runs       deleting the records, matches and alerts of {string.Join(", ", earlier)} first (their persons are this run's too)");
            await BenchAgencies.DeleteAsync(data, [.. earlier]);
        }
    }

    // A clean stop of a RabbitMQ node hands its quorum queue leaders over and flushes, which takes from seconds to over
    // a minute on a loaded machine: it goes on while the Gateway is killed and PostgreSQL restarts, so that all three
    // faults overlap the stream. The node and the Gateway start again once the node has stopped and PostgreSQL is back.
    private static async Task RunFaultsAsync(FaultRunner faults, FaultPlan plan, ChaosSampler sampler, long threshold, CancellationToken cancellationToken)
    {
        while (sampler.Latest < threshold)
        {
            await Task.Delay(200, cancellationToken);
        }
        faults.Mark(FaultRunner.Begin);
        var nodeStopped = faults.RunAsync($"stop RabbitMQ node {plan.Node}", ["cluster", "stop-node", $"{plan.Node}"], cancellationToken);
        await Task.Delay(plan.Gap, cancellationToken);
        await faults.RunAsync($"kill -9 Gateway c{plan.Gateway}", ["cluster", "kill-gateway", $"{plan.Gateway}"], cancellationToken);
        await Task.Delay(plan.Gap, cancellationToken);
        await faults.RunAsync("stop PostgreSQL", ["infra", "stop-pg"], cancellationToken);
        await Task.Delay(plan.DatabaseDown, cancellationToken);
        await faults.RunAsync(FaultRunner.DatabaseBack, ["infra", "start-pg"], cancellationToken);
        await Task.Delay(plan.Gap, cancellationToken);
        await nodeStopped;
        await faults.RunAsync($"start RabbitMQ node {plan.Node}", ["cluster", "start-node", $"{plan.Node}"], cancellationToken);
        await faults.RunAsync($"start Gateway c{plan.Gateway}", ["cluster", "start-gateway", $"{plan.Gateway}"], cancellationToken);
        faults.Mark(FaultRunner.End);
    }

    // Until every record is stored, none waits to be matched, and every alert of the run's agencies is relayed. Five
    // minutes in which none of the three counts moves is a stuck hub (or a loss): the run fails with the counts.
    private static async Task<TimeSpan> SettleAsync(NpgsqlDataSource data, string[] agencies, int records, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var last = (Stored: -1L, Pending: -1L, Undelivered: -1L);
        var moved = clock.Elapsed;
        while (true)
        {
            try
            {
                await using var command = data.CreateCommand("""
                    SELECT (SELECT count(*) FROM records WHERE agency_code = ANY(@a)),
                           (SELECT count(*) FROM match_pending p JOIN records r ON r.id = p.record_id WHERE r.agency_code = ANY(@a)),
                           (SELECT count(*) FROM alerts x, alert_relay_cursor c WHERE x.agency_code = ANY(@a) AND (x.tx, x.id) > (c.tx, c.alert_id))
                    """);
                command.Parameters.AddWithValue("a", agencies);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var now = (Stored: reader.GetInt64(0), Pending: reader.GetInt64(1), Undelivered: reader.GetInt64(2));
                if (now.Stored >= records && now.Pending == 0 && now.Undelivered == 0)
                {
                    return clock.Elapsed;
                }
                if (now != last)
                {
                    (last, moved) = (now, clock.Elapsed);
                }
            }
            catch (NpgsqlException)
            {
                // The database is restarting: look again.
            }
            if (clock.Elapsed - moved > TimeSpan.FromMinutes(5))
            {
                throw new BenchFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"nothing moved for 5 minutes: {last.Stored:N0} of {records:N0} records stored, {last.Pending:N0} waiting to be matched, {last.Undelivered:N0} alerts not relayed (./hub status, the Gateway logs)"));
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private static Task<(int ExitCode, string Output)> Connector(Dictionary<string, string> options, string verb, string agency, string work,
        string[] extra, CancellationToken cancellationToken) =>
        BenchProcess.RunAsync("dotnet", new[]
        {
            options["--connector"], verb, "--agency", agency,
            "--broker", options["--broker"], "--broker-nodes", options["--broker-nodes"],
            "--password-file", Path.Combine(options["--secrets"], agency + ".secret"),
            "--state-dir", Path.Combine(work, "state-" + agency),
        }.Concat(verb == "publish" ? ["--region", "US"] : []).Concat(extra), cancellationToken);

    // The alert ids of a drained file (the connector's JSON lines, one alert each), deconfliction and protective only:
    // the escalations a long run may add are raised for the same matches at any time and are not this run's to count.
    private static IEnumerable<string> DrainedIds(string file)
    {
        if (!File.Exists(file))
        {
            yield break;
        }
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            var kind = json.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : null;
            if (kind is "deconfliction" or "protective")
            {
                // An alert without an id counts as an unknown delivery, never as nothing.
                yield return json.RootElement.TryGetProperty("alertId", out var id) ? id.GetString() ?? "" : "";
            }
        }
    }

    private static long RepeatsDropped(string output)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) repeats dropped");
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static string Tail(string output) => string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int Int(Dictionary<string, string> options, string name, int fallback, int minimum)
    {
        var value = options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value >= minimum ? value : throw new ArgumentException($"{name} must be {minimum} or more");
    }

    private static double Double(Dictionary<string, string> options, string name, double fallback) =>
        options.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--keep")
            {
                options["--keep"] = "";
                continue;
            }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"bench chaos: unexpected argument '{args[i]}'");
            }
            options[args[i]] = args[++i];
        }
        foreach (var required in Required)
        {
            if (!options.ContainsKey(required))
            {
                throw new ArgumentException($"{required} is required (run through ./hub bench chaos)");
            }
        }
        return options;
    }
}
