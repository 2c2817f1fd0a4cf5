using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using SharingHub.Bench.Match;
using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.Bench.Ingest;

/// <summary>
/// <c>bench ingest</c>: the end-to-end rate (the connector CLI's first publish until the last row is committed in
/// the Gateway's database) against the raw RabbitMQ ceiling, measured in the same run on the same broker.
/// With <c>--stored N</c> the hub is full first: N background records of another agency are bulk-loaded from the
/// synthetic population (Zipf-like names: a few very common, a long tail of rare ones), and the ingested records are
/// drawn from the same population, so each meets candidates as a real task force's records do. It then also prints
/// the candidates and matches per ingested record. <c>--stored 0</c> is the same population on an empty hub.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        var agency = options["--agency"];
        var records = int.Parse(options.GetValueOrDefault("--records", "100000"), CultureInfo.InvariantCulture);
        var database = Environment.GetEnvironmentVariable("ConnectionStrings__hubdb")
            ?? throw new InvalidOperationException("ConnectionStrings__hubdb is not set (run through ./hub bench)");
        // The raw ceiling declares a queue of its own: the Gateway's broker user may not, the administration user may.
        var adminBroker = new Uri(Environment.GetEnvironmentVariable("HUB_RABBIT_ADMIN_URL")
            ?? throw new InvalidOperationException("HUB_RABBIT_ADMIN_URL is not set (run through ./hub bench)"));
        int? stored = options.TryGetValue("--stored", out var storedText) ? int.Parse(storedText, CultureInfo.InvariantCulture) : null;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(stored is null ? 30 : 120));
        var work = Directory.CreateTempSubdirectory("sharinghub-bench-");
        await using var data = NpgsqlDataSource.Create(database);
        string? background = null;
        Exception? failure = null;
        try
        {
            var file = Path.Combine(work.FullName, "records.jsonl");
            var warmUp = Path.Combine(work.FullName, "warm-up.jsonl");
            if (stored is { } size)
            {
                background = "BI" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
                var people = await LoadBackgroundAsync(data, background, size);
                await File.WriteAllLinesAsync(warmUp, people.Next(WarmUpRecords).Select(r => r.ToCanonicalLine()), cancel.Token);
                await File.WriteAllLinesAsync(file, people.Next(records).Select(r => r.ToCanonicalLine()), cancel.Token);
            }
            else
            {
                SyntheticRecords.Write(file, records);
                SyntheticRecords.Write(warmUp, WarmUpRecords, seed: 7, prefix: "W");
            }
            var population = stored is { } count
                ? string.Create(CultureInfo.InvariantCulture, $"the synthetic population, {count:N0} of it stored first")
                : "the fixed ingest set, on the hub as it is";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"records            {records:N0} ({new FileInfo(file).Length / records} bytes a line), agency {agency}; {population}"));
            // The machine is shared: the load around each measurement says how far the figures can be compared.
            Console.WriteLine($"machine            {Environment.ProcessorCount} cores; load average {LoadAverage()} before the end-to-end run");

            // A Gateway just (re)started is still compiling its consumer path; a long-running one is not. Warm it up
            // through the same path first, with records of their own that the measured run does not count.
            await WarmUpAsync(options, agency, warmUp, database, cancel.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up            {WarmUpRecords:N0} other records through the same path first (not measured)"));

            var processes = ProcessCpu.Parse(options.GetValueOrDefault("--processes"));
            var cpuBefore = processes?.Sample();
            var endToEnd = await EndToEndAsync(options, agency, file, records, database, cancel.Token);
            var cpuAfter = processes?.Sample();
            Console.WriteLine($"load average       {LoadAverage()} after the end-to-end run");
            var raw = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                raw.Add(await RawCeiling.MeasureAsync(adminBroker, records, cancel.Token));
            }
            Console.WriteLine($"load average       {LoadAverage()} after the raw runs");
            raw.Sort();
            var ceiling = raw[1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"end-to-end         {endToEnd.Rate:N0} records/s  (first publish -> last row committed: {endToEnd.Seconds:0.00} s; the connector's last confirm came at {endToEnd.PublishSeconds:0.00} s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"raw ceiling        {ceiling:N0} records/s  (median of {string.Join(", ", raw.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}; quorum queue, confirm window 256, prefetch 256, 400-byte messages, no database)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"with matching      {records / endToEnd.MatchedSeconds:N0} records/s  (first publish -> every record matched: {endToEnd.MatchedSeconds:0.00} s; ratio {records / endToEnd.MatchedSeconds / ceiling:0.00})"));
            if (cpuBefore is not null && cpuAfter is not null)
            {
                Console.WriteLine($"CPU a record       {ProcessCpu.PerRecord(cpuBefore, cpuAfter, records)}  (each process with its children, first publish -> every record matched)");
            }
            if (stored is not null)
            {
                await PrintCandidatesAsync(data, agency);
                await PrintScoringCostAsync(data, agency);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {endToEnd.Rate / ceiling:0.00}"));
            return 0;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            await BenchAgencies.CleanUpAsync(
                () => BenchAgencies.DeleteAsync(data, background is null ? new[] { agency } : new[] { agency, background }), failure);
            work.Delete(recursive: true);
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "unknown".</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private const int WarmUpRecords = 2_000;

    // The full hub: another agency's records, bulk-loaded with their blocking keys as the Gateway would write them
    // (MatchBenchmark's loader), then vacuumed and checkpointed so the measured run pays for none of the load.
    private static async Task<SyntheticPopulation> LoadBackgroundAsync(NpgsqlDataSource data, string background, int size)
    {
        var people = new SyntheticPopulation(seed: 11);
        var clock = Stopwatch.StartNew();
        await MatchBenchmark.ExecuteAsync(data,
            "INSERT INTO agencies (code, name, kind, region, created_at) VALUES (@p0, 'Ingest benchmark background', 'LawEnforcement', 'US', now())", background);
        var loaded = await MatchBenchmark.BulkLoadAsync(data, MatchingEngine.CreateDefault(), people, background, size);
        await MatchBenchmark.ExecuteAsync(data, "VACUUM (ANALYZE) records, record_keys");
        await MatchBenchmark.ExecuteAsync(data, "CHECKPOINT");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored first       {loaded:N0} background records of {background} ({clock.Elapsed.TotalSeconds:F0} s to load)"));
        return people;
    }

    // Ingested records whose candidates are counted: counting every one's at 1,000,000 stored took minutes.
    private const int CandidateSample = 5_000;

    // What each ingested record met: the other agencies' records that share a blocking key with it (the candidate
    // set before the engine's per-key caps, which skip keys too common to be worth scoring), and the matches written.
    private static async Task PrintCandidatesAsync(NpgsqlDataSource data, string agency)
    {
        await using var command = data.CreateCommand("""
            WITH mine AS (SELECT id FROM records WHERE agency_code = @a),
            sample AS (SELECT id FROM mine ORDER BY id LIMIT @sample),
            candidates AS (
                SELECT m.id, count(DISTINCT k2.record_id) AS n
                FROM sample m
                LEFT JOIN record_keys k1 ON k1.record_id = m.id
                LEFT JOIN record_keys k2 ON k2.kind = k1.kind AND k2.key = k1.key AND k2.agency_code <> @a
                GROUP BY m.id),
            found AS (
                SELECT m.id, (SELECT count(*) FROM matches x WHERE x.record_a_id = m.id OR x.record_b_id = m.id) AS n FROM mine m)
            SELECT (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM candidates),
                   (SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY n) FROM candidates),
                   (SELECT avg(n) FROM candidates),
                   (SELECT avg(n) FROM found),
                   (SELECT count(*) FILTER (WHERE n > 0)::float8 / greatest(count(*), 1) FROM found)
            """);
        command.CommandTimeout = (int)MatchBenchmark.LongStatement.TotalSeconds;
        command.Parameters.AddWithValue("a", agency);
        command.Parameters.AddWithValue("sample", CandidateSample);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"candidates         per ingested record (other agencies' records sharing a blocking key, before the per-key caps; the first {CandidateSample:N0} ingested): p50 {reader.GetInt64(0)}, p99 {reader.GetInt64(1)}, mean {reader.GetDecimal(2):0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"matches            per ingested record: mean {reader.GetDecimal(3):0.00}; {reader.GetDouble(4):P0} of the records have one or more"));
    }

    // Pairs measured for the scoring cost: the first ingested persons, each with at most this many candidates.
    private const int ScoredPersons = 2_000;
    private const int CandidatesPerPerson = 100;

    // The engine's cost per candidate pair on this run's own pairs: each ingested person (a sample) against the other
    // agencies' persons it shares a blocking key with, both read from their stored features as the matcher reads
    // them, compared with the stored name counts as the Gateway's term-frequency weights. Measured in this process,
    // after the end-to-end run (the Gateway exports no per-pair figure), on the same engine and parameters.
    private static async Task PrintScoringCostAsync(NpgsqlDataSource data, string agency)
    {
        var engine = MatchingEngine.CreateDefault();
        var counts = new List<KeyValuePair<long, long>>();
        await using (var command = data.CreateCommand("SELECT hash, count FROM name_frequencies WHERE count > 0"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                counts.Add(new(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }
        var frequencies = new NameFrequencies(counts);

        var features = new Dictionary<long, byte[]>();
        var pairs = new List<(long, long)>();
        await using (var command = data.CreateCommand("""
            WITH mine AS (
                SELECT id, features FROM records
                WHERE agency_code = @a AND kind = 'Person' AND features IS NOT NULL ORDER BY id LIMIT @persons)
            SELECT m.id, m.features, c.id, c.features
            FROM mine m
            CROSS JOIN LATERAL (
                SELECT r.id, r.features FROM records r
                WHERE r.id IN (
                    SELECT k2.record_id FROM record_keys k1
                    JOIN record_keys k2 ON k2.kind = k1.kind AND k2.key = k1.key AND k2.agency_code <> @a
                    WHERE k1.record_id = m.id)
                  AND r.kind = 'Person' AND r.features IS NOT NULL
                LIMIT @candidates) c
            """))
        {
            command.CommandTimeout = (int)MatchBenchmark.LongStatement.TotalSeconds;
            command.Parameters.AddWithValue("a", agency);
            command.Parameters.AddWithValue("persons", ScoredPersons);
            command.Parameters.AddWithValue("candidates", CandidatesPerPerson);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                features.TryAdd(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
                features.TryAdd(reader.GetInt64(2), reader.GetFieldValue<byte[]>(3));
                pairs.Add((reader.GetInt64(0), reader.GetInt64(2)));
            }
        }
        if (pairs.Count == 0)
        {
            Console.WriteLine("scoring cost       no candidate pairs of persons to measure");
            return;
        }

        // Decoding the stored features (once per candidate loaded), then comparing (once per pair): each timed over
        // repeated passes until a second has gone, after one pass that warms the code up.
        var decodeClock = Stopwatch.StartNew();
        var decodes = 0L;
        var evidence = new Dictionary<long, PersonEvidence>(features.Count);
        do
        {
            foreach (var (id, bytes) in features)
            {
                evidence[id] = engine.ReadPersonFeatures(bytes)
                    ?? throw new InvalidOperationException("a stored person's features were written by another engine version");
            }
            decodes += features.Count;
        }
        while (decodeClock.Elapsed < TimeSpan.FromSeconds(1));
        var decodeMicroseconds = decodeClock.Elapsed.TotalMicroseconds / decodes;

        var matched = 0;
        foreach (var (a, b) in pairs)
        {
            matched += engine.QuickScore(evidence[a], evidence[b], frequencies).Band == MatchBand.Match ? 1 : 0;
        }
        var compares = 0L;
        var clock = Stopwatch.StartNew();
        do
        {
            foreach (var (a, b) in pairs)
            {
                engine.QuickScore(evidence[a], evidence[b], frequencies);
            }
            compares += pairs.Count;
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scoring cost       {clock.Elapsed.TotalMicroseconds / compares:0.00} µs per candidate pair (person identity, on the stored evidence; {pairs.Count:N0} pairs of the first {Math.Min(ScoredPersons, pairs.Select(p => p.Item1).Distinct().Count()):N0} ingested persons, {matched:N0} at band Match), plus {decodeMicroseconds:0.00} µs to read a candidate's stored features"));
    }

    private static async Task WarmUpAsync(Dictionary<string, string> options, string agency, string file, string database,
        CancellationToken cancellationToken)
    {
        using var connector = StartConnector(options, agency, file, Path.Combine(Path.GetDirectoryName(file)!, "warm-up-stats.json"));
        var output = connector.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = connector.StandardError.ReadToEndAsync(cancellationToken);
        await connector.WaitForExitAsync(cancellationToken);
        if (connector.ExitCode != 0)
        {
            throw new InvalidOperationException($"the warm-up connector failed ({connector.ExitCode}): {await output}{await errors}");
        }
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        while (await CountAsync(connection, agency, cancellationToken) < WarmUpRecords)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string agency, CancellationToken cancellationToken)
    {
        await using var count = new NpgsqlCommand("SELECT count(*) FROM records WHERE agency_code = $1", connection);
        count.Parameters.AddWithValue(agency);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    // Seconds until the next poll: `first` before anything is done; then a quarter of the expected time to go at the
    // rate so far, at most 0.5 s; within 1.5 s of the end, 10 ms.
    private static double NextPoll(long left, long done, TimeSpan elapsed, double first)
    {
        if (done <= 0)
        {
            return first;
        }
        var eta = left / (done / elapsed.TotalSeconds);
        return eta > 1.5 ? Math.Min(eta / 4, 0.5) : 0.01;
    }

    // The agency's records waiting to be matched. Counting them joins every marker to its record: at 1,000,000 stored
    // and 50,000 waiting that took 137 ms of the database's time a poll, a quarter of a core at two polls a second,
    // taken from the matching it measured. The whole queue's length (an index-only count) bounds it from above, and
    // the exact count is taken only once that bound is small.
    private const long ExactPendingBelow = 1_000;

    private static async Task<long> PendingAsync(NpgsqlConnection connection, string agency, CancellationToken cancellationToken)
    {
        await using (var total = new NpgsqlCommand("SELECT count(*) FROM match_pending", connection))
        {
            var waiting = (long)(await total.ExecuteScalarAsync(cancellationToken))!;
            if (waiting >= ExactPendingBelow)
            {
                return waiting;
            }
        }
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM match_pending p JOIN records r ON r.id = p.record_id WHERE r.agency_code = $1", connection);
        count.Parameters.AddWithValue(agency);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    private static Process StartConnector(Dictionary<string, string> options, string agency, string file, string stats)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            options["--connector"], "publish", "--agency", agency, "--file", file,
            "--broker", options["--broker"], "--password-file", options["--password-file"],
            "--state-dir", Path.Combine(Path.GetDirectoryName(file)!, "state"), "--stats", stats,
            "--batch-size", options.GetValueOrDefault("--batch-size", "1000"),
        })
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the connector");
    }

    private static async Task<(double Rate, double Seconds, double PublishSeconds, double MatchedSeconds)> EndToEndAsync(Dictionary<string, string> options, string agency, string file,
        int records, string database, CancellationToken cancellationToken)
    {
        var stats = Path.Combine(Path.GetDirectoryName(file)!, "stats.json");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        using var connector = StartConnector(options, agency, file, stats);
        var output = connector.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = connector.StandardError.ReadToEndAsync(cancellationToken);

        // Poll the committed count. A count that reaches N saw the last row committed, no later than the moment the
        // query started (its snapshot): that moment is the end, an upper bound, so the rate is never flattered. Each
        // count scans the agency's rows (~13 ms at 100,000), and on a 2-core machine polling every 20 ms throughout
        // took CPU from the pipeline it measures; so polls are sparse while far from N and every 10 ms near it
        // (the output says how far apart the last two were: the end is known to within that).
        DateTimeOffset? committed = null;
        var polling = Stopwatch.StartNew();
        var polls = 0;
        var lastWait = 0.0;
        while (committed is null)
        {
            var snapshot = DateTimeOffset.UtcNow;
            var stored = await CountAsync(connection, agency, cancellationToken) - WarmUpRecords;
            polls++;
            if (stored >= records)
            {
                committed = snapshot;
                break;
            }
            if (connector.HasExited && connector.ExitCode != 0)
            {
                throw new InvalidOperationException($"the connector failed ({connector.ExitCode}): {await output}{await errors}");
            }
            lastWait = NextPoll(records - stored, stored, polling.Elapsed, first: 0.1);
            await Task.Delay(TimeSpan.FromSeconds(lastWait), cancellationToken);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"observed           the last commit by {polls} count(*) polls of the hub's database; the last two were {lastWait * 1000:0} ms apart"));

        // Matching runs after each batch's commit: the run is fully done when no record of the agency is pending.
        // Polled as the commits were: each count reads the pending queue (tens of milliseconds of the database's time
        // when it is long), so polling it back to back would take a core from the matching it measures.
        DateTimeOffset matched;
        var pendingAtCommit = 0L;
        while (true)
        {
            var snapshot = DateTimeOffset.UtcNow;
            var pending = await PendingAsync(connection, agency, cancellationToken);
            if (pending == 0)
            {
                matched = snapshot;
                break;
            }
            pendingAtCommit = pendingAtCommit == 0 ? pending : pendingAtCommit;
            var done = pendingAtCommit - pending;
            await Task.Delay(TimeSpan.FromSeconds(NextPoll(pending, done, snapshot - committed.Value, first: 0.25)), cancellationToken);
        }
        await connector.WaitForExitAsync(cancellationToken);
        Console.Write(await output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(stats, cancellationToken));
        var first = json.RootElement.GetProperty("firstPublishAt").GetDateTimeOffset();
        var lastConfirm = json.RootElement.GetProperty("lastConfirmAt").GetDateTimeOffset();
        var seconds = (committed.Value - first).TotalSeconds;
        return (records / seconds, seconds, (lastConfirm - first).TotalSeconds, (matched - first).TotalSeconds);
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }
        foreach (var required in new[] { "--agency", "--connector", "--broker", "--password-file" })
        {
            if (!options.ContainsKey(required))
            {
                throw new ArgumentException($"{required} is required");
            }
        }
        return options;
    }
}
