using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using RabbitMQ.Client;
using SharingHub.Bench.Match;
using SharingHub.Matching;

namespace SharingHub.Bench.Alerts;

/// <summary>
/// <c>./hub bench alerts [--stored 1000000] [--background 1000] [--background-batch 1] [--probes 300] [--seconds 60]
/// [--warmup 20] [--timeout 30] [--keep]</c>
/// (issue 12, "Latency"): the time from a connector publishing a record that matches a stored one to a graphql-ws
/// subscriber of <c>alertRaised</c> (an officer of the probe agency) receiving the alert about it.
/// <list type="number">
/// <item>N background records of another agency are bulk-loaded as <c>bench match</c> loads them (a run with
/// <c>--keep</c> leaves them, and the next run with the same N reuses them);</item>
/// <item>a third agency streams new records at R records/s through the connector path for the whole measurement, one
/// a message (<c>--background-batch</c>: more);</item>
/// <item>the subscriber connects and subscribes;</item>
/// <item>P probes (variants of stored persons, so each surely matches) are published by the probe agency one at a time,
/// evenly over S seconds, each stamped just before the connector takes it; its latency ends when the subscriber
/// receives the alert whose match's own record is that probe.</item>
/// </list>
/// Prints p50, p99 and max against the target (p99 ≤ 250 ms), how many probes got their alert, and the stream's
/// rate reached. A probe without its alert within <c>--timeout</c> seconds of its publish fails the run, naming it.
/// The probes, the stream agency's records and (without <c>--keep</c>) the background are removed afterwards.
/// </summary>
internal static class AlertBenchmark
{
    private const string BackgroundName = "Alert benchmark background";
    private const string ProbePrefix = "ALERTBENCH-";
    private const double TargetP99Ms = 250;

    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new BenchArgs(arguments, "keep");
        var stored = args.Int("stored", 1_000_000);
        var rate = args.Int("background", 1000);
        var probeCount = args.Int("probes", 300);
        var seconds = args.Int("seconds", 60);
        var warmup = args.Int("warmup", 20);
        var batchSize = args.Int("background-batch", 1);
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 30));
        if (stored < 1000 || rate < 0 || probeCount < 1 || seconds < 1 || warmup < 0 || timeout <= TimeSpan.Zero || batchSize < 1)
        {
            throw new ArgumentException("--stored needs at least 1000, --probes, --seconds, --timeout and --background-batch at least 1, --background and --warmup 0 or more");
        }
        var agency = args.Required("agency");
        var streamAgency = args.Required("stream-agency");
        var broker = new Uri(args.Required("broker"));
        var url = new Uri(args.Required("url"));
        var interval = TimeSpan.FromSeconds((double)seconds / probeCount);
        await using var data = NpgsqlDataSource.Create(BenchArgs.Env("ConnectionStrings__hubdb"));

        var people = new SyntheticPopulation(seed: 17);
        var background = await KeptBackgroundAsync(data, stored);
        BackgroundStream? stream = null;
        Exception? failure = null;
        try
        {
            await RemoveLeftoversAsync(data, agency, background);
            background = await StoreBackgroundAsync(data, people, background, stored);

            var log = new ProbeLog();
            await using var subscriber = await AlertSubscriber.ConnectAsync(url, await OfficerTokenAsync(args, agency), log.Received, CancellationToken.None);
            await using var probes = await ConnectorPath.StartAsync(broker, agency, args.Required("password-file"), CancellationToken.None);
            await using var streamPath = await ConnectorPath.StartAsync(broker, streamAgency, args.Required("stream-password-file"), CancellationToken.None);

            stream = new BackgroundStream(streamPath, new SyntheticPopulation(seed: 29).Next(int.MaxValue), rate, batchSize);
            using var stopStream = new CancellationTokenSource();
            var streaming = stream.RunAsync(stopStream.Token);
            var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"== subscribed as an officer of {agency}; background stream of {rate:N0} records/s from {streamAgency}; {warmup} warm-up probes, then {probeCount} probes over {seconds} s"));
            List<string> measuredIds;
            try
            {
                // Unmeasured first: JIT, pooled connections and prepared statements of the whole path are warm when
                // the measured probes start, as in a hub that has been running.
                if (warmup > 0)
                {
                    await ProbeAsync(probes, subscriber, people.Probes(warmup, -1).Select((p, i) => p with { LocalId = $"{ProbePrefix}{run}-W{i}" }).ToList(),
                        interval, timeout, log, "warm-up");
                }
                measuredIds = await ProbeAsync(probes, subscriber,
                    people.Probes(probeCount, 1).Select((p, i) => p with { LocalId = $"{ProbePrefix}{run}-{i}" }).ToList(),
                    interval, timeout, log, "measured");
            }
            finally
            {
                await stopStream.CancelAsync();
                await streaming;
            }
            // Did the Gateway keep up with the stream? What it had not stored by now was still queued while the probes ran.
            var streamStored = await StoredCountAsync(data, streamAgency);

            var measured = measuredIds.Select(log.Latency).ToList();
            var stages = await StagesAsync(data, agency, log, measuredIds);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"publish -> alertRaised: p50 {MatchBenchmark.Percentile(measured, 0.50):F1} ms, p99 {MatchBenchmark.Percentile(measured, 0.99):F1} ms, max {measured.Max():F1} ms ({measured.Count}/{probeCount} probes got their alert, {probeCount / (double)seconds:F1} probes/s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"background: {stored:N0} records stored; stream reached {stream.Rate:F0} records/s of {rate:N0} asked, {batchSize} a message ({stream.Confirmed:N0} records confirmed, {streamStored:N0} stored by the Gateway when it stopped)"));
            if (stream.Confirmed - streamStored > Math.Max(rate, batchSize))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"WARNING: the Gateway fell behind the stream ({stream.Confirmed - streamStored:N0} records still queued when it stopped): the probes waited in that queue, and the latencies measure it"));
            }
            Console.WriteLine(stages);
            var p99 = MatchBenchmark.Percentile(measured, 0.99);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"target: p99 <= {TargetP99Ms:F0} ms: {(p99 <= TargetP99Ms ? "met" : "NOT met")}"));
            return 0;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            if (failure is not null)
            {
                data.Clear();
            }
            var keep = args.Flag("keep") && background is not null;
            Console.WriteLine(keep ? $"== removing the probes and the stream's records (--keep: background {background} stays for the next run)"
                : background is null ? "== removing the probes and the stream's records"
                : $"== removing the probes, the stream's records and the background {background}");
            await BenchAgencies.CleanUpAsync(async () =>
            {
                // Records still queued would be stored after the clean-up, and stay.
                if (stream is not null)
                {
                    await WaitUntilStoredAsync(data, streamAgency, stream.Confirmed);
                }
                await RemoveProbesAsync(data, agency);
                string[] agencies = keep || background is null ? [streamAgency] : [streamAgency, background];
                await BenchAgencies.DeleteAsync(data, agencies);
                await DeleteAlertQueuesAsync(agencies);
            }, failure);
        }
    }

    /// <summary>
    /// Publishes <paramref name="probes"/> one every <paramref name="interval"/>, each stamped just before the
    /// connector takes it, and waits for their alerts; returns their local ids. A probe whose alert did not come
    /// within <paramref name="timeout"/> of its publish fails the run, named.
    /// </summary>
    private static async Task<List<string>> ProbeAsync(ConnectorPath connector, AlertSubscriber subscriber, List<SyntheticRecord> probes,
        TimeSpan interval, TimeSpan timeout, ProbeLog log, string name)
    {
        var confirms = new List<Task>(probes.Count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < probes.Count; i++)
        {
            var wait = (interval * i) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            ThrowIfEnded(subscriber);
            log.Published(probes[i].LocalId);
            confirms.Add(connector.PublishAsync(connector.Prepare(probes[i].ToCanonicalLine()), CancellationToken.None));
        }
        var lastPublished = Stopwatch.GetTimestamp();
        await Task.WhenAll(confirms);
        while (probes.Any(p => !log.HasAlert(p.LocalId)) && Stopwatch.GetElapsedTime(lastPublished) < timeout)
        {
            ThrowIfEnded(subscriber);
            await Task.Delay(50);
        }
        var late = probes.Where(p => !log.HasAlert(p.LocalId) || log.Latency(p.LocalId) > timeout.TotalMilliseconds).Select(p => p.LocalId).ToList();
        if (late.Count > 0)
        {
            throw new BenchFailedException(string.Create(CultureInfo.InvariantCulture,
                $"{late.Count} of {probes.Count} {name} probes got no alert within {timeout.TotalSeconds:F0} s of their publish ({subscriber.Received} alert events received): {string.Join(", ", late.Take(10))}{(late.Count > 10 ? ", ..." : "")}"));
        }
        return [.. probes.Select(p => p.LocalId)];
    }

    /// <summary>
    /// Where the time went, per stage (p50 / p99), on the database's commit clock (<c>track_commit_timestamp</c>, which
    /// <c>./hub infra</c> turns on): from the publish to the commit of the probe's record, from there to the commit of
    /// its first alert to the probe agency, and from there to the subscriber's receipt. The same machine's clock on
    /// both sides, so the stages add up to the latency.
    /// </summary>
    private static async Task<string> StagesAsync(NpgsqlDataSource data, string agency, ProbeLog log, List<string> ids)
    {
        await using (var setting = data.CreateCommand("SHOW track_commit_timestamp"))
        {
            if (await setting.ExecuteScalarAsync() as string != "on")
            {
                return "stages: not measured (PostgreSQL's track_commit_timestamp is off; ./hub infra turns it on at start)";
            }
        }
        await using var command = data.CreateCommand("""
            -- An alert's xmin moves when the relay marks it delivered; its tx column is the transaction that raised it.
            SELECT r.local_id, pg_xact_commit_timestamp(r.xmin), min(pg_xact_commit_timestamp((a.tx % 4294967296)::text::xid))
            FROM records r
            JOIN matches m ON r.id IN (m.record_a_id, m.record_b_id)
            JOIN alerts a ON a.match_id = m.id AND a.agency_code = r.agency_code
            WHERE r.agency_code = @agency AND r.local_id = ANY(@ids)
            GROUP BY r.local_id, r.xmin
            """);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var (stored, raised, sent) = (new List<double>(), new List<double>(), new List<double>());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (reader.IsDBNull(1) || reader.IsDBNull(2))
            {
                continue;
            }
            var localId = reader.GetString(0);
            var (recordCommit, alertCommit) = (reader.GetDateTime(1), reader.GetDateTime(2));
            var publishedAt = log.PublishedAt(localId);
            stored.Add((recordCommit - publishedAt).TotalMilliseconds);
            raised.Add((alertCommit - recordCommit).TotalMilliseconds);
            sent.Add((publishedAt.AddMilliseconds(log.Latency(localId)) - alertCommit).TotalMilliseconds);
        }
        string Stage(List<double> values) => string.Create(CultureInfo.InvariantCulture,
            $"{MatchBenchmark.Percentile(values, 0.50):F0} / {MatchBenchmark.Percentile(values, 0.99):F0} ms");
        return $"stages p50 / p99 ({stored.Count} probes, commit clock): publish -> record committed {Stage(stored)}; -> alert committed {Stage(raised)}; -> received {Stage(sent)}";
    }

    /// <summary>Each probe's publish (monotonic and wall clock) and its latency once its alert arrived, by local id.</summary>
    private sealed class ProbeLog
    {
        private readonly ConcurrentDictionary<string, (long Ticks, DateTime Wall)> _published = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, double> _latencies = new(StringComparer.Ordinal);

        public void Published(string localId) => _published[localId] = (Stopwatch.GetTimestamp(), DateTime.UtcNow);

        /// <summary>The subscriber's callback: the first alert about a probe ends its latency; others are ignored.</summary>
        public void Received(string localId, long receivedAt)
        {
            if (_published.TryGetValue(localId, out var sent))
            {
                _latencies.TryAdd(localId, Stopwatch.GetElapsedTime(sent.Ticks, receivedAt).TotalMilliseconds);
            }
        }

        public bool HasAlert(string localId) => _latencies.ContainsKey(localId);

        public double Latency(string localId) => _latencies[localId];

        public DateTime PublishedAt(string localId) => _published[localId].Wall;
    }

    private static void ThrowIfEnded(AlertSubscriber subscriber)
    {
        if (subscriber.Failure is { } failure)
        {
            throw new BenchFailedException(failure);
        }
    }

    /// <summary>
    /// The officer's bearer token: <c>--token-file</c>'s, or a fresh one from <c>./hub token AGENCY officer</c> (its last
    /// line), taken after the bulk load: a token lives 15 minutes, less than loading a million records may take here.
    /// </summary>
    private static async Task<string> OfficerTokenAsync(BenchArgs args, string agency)
    {
        if (args.Get("token-file") is { } file)
        {
            return (await File.ReadAllTextAsync(file)).Trim();
        }
        var start = new ProcessStartInfo(Path.Combine(BenchArgs.Env("HUB_ROOT"), "hub")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "token", agency, "officer" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new BenchFailedException("could not start ./hub token");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var token = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || token is null)
        {
            var reason = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            throw new BenchFailedException($"./hub token {agency} officer failed (exit {process.ExitCode}): {reason}");
        }
        return token;
    }

    // Waits (at most 10 minutes) until the Gateway has stored every record of the stream the broker confirmed.
    private static async Task WaitUntilStoredAsync(NpgsqlDataSource data, string agency, long confirmed)
    {
        var deadline = Stopwatch.StartNew();
        var left = confirmed - await StoredCountAsync(data, agency);
        if (left > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== waiting for the Gateway to store the stream's last {left:N0} records, to remove them"));
        }
        while (left > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new BenchFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"the Gateway had not stored the stream's last {left:N0} records after 10 minutes; they will be stored after the clean-up, and stay (the next run removes them)"));
            }
            await Task.Delay(500);
            left = confirmed - await StoredCountAsync(data, agency);
        }
    }

    private static async Task<long> StoredCountAsync(NpgsqlDataSource data, string agency)
    {
        await using var command = data.CreateCommand("SELECT count(*) FROM records WHERE agency_code = @agency");
        command.Parameters.AddWithValue("agency", agency);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // The kept background, or a new one bulk-loaded. The probes are variants of the population's persons, so a kept
    // background's population is generated again (not stored again), chunk by chunk as BulkLoadAsync generated it.
    private static async Task<string> StoreBackgroundAsync(NpgsqlDataSource data, SyntheticPopulation people, string? kept, int stored)
    {
        var clock = Stopwatch.StartNew();
        if (kept is not null)
        {
            for (var left = stored; left > 0; left -= LoadChunk)
            {
                _ = people.Next(Math.Min(LoadChunk, left)).Count();
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== reusing the {stored:N0} background records a run with --keep left ({kept})"));
            return kept;
        }
        var background = "BA" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        await MatchBenchmark.ExecuteAsync(data,
            $"INSERT INTO agencies (code, name, kind, region, created_at) VALUES (@p0, '{BackgroundName}', 'LawEnforcement', 'US', now())", background);
        var loaded = await MatchBenchmark.BulkLoadAsync(data, MatchingEngine.CreateDefault(), people, background, stored);
        // As bench match does: statistics and hint bits set, and the load's dirty pages written before the measurement.
        await MatchBenchmark.ExecuteAsync(data, "VACUUM (ANALYZE) records, record_keys");
        await MatchBenchmark.ExecuteAsync(data, "CHECKPOINT");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {loaded:N0} background records stored ({background}, {clock.Elapsed.TotalSeconds:F0} s)"));
        return background;
    }

    // MatchBenchmark.BulkLoadAsync's chunk: the population's random draws depend on where its chunks end.
    private const int LoadChunk = 100_000;

    // The newest background a run with --keep left with exactly the asked number of records.
    private static async Task<string?> KeptBackgroundAsync(NpgsqlDataSource data, int stored)
    {
        await using var command = data.CreateCommand($"""
            SELECT a.code FROM agencies a
            WHERE a.name = '{BackgroundName}' AND (SELECT count(*) FROM records r WHERE r.agency_code = a.code) = @stored
            ORDER BY a.created_at DESC LIMIT 1
            """);
        command.CommandTimeout = (int)MatchBenchmark.LongStatement.TotalSeconds;
        command.Parameters.AddWithValue("stored", (long)stored);
        return await command.ExecuteScalarAsync() as string;
    }

    // What an interrupted run left: other backgrounds of this benchmark, records of earlier streams (registered by
    // ./hub as "Alert benchmark stream CODE", disabled after their run), and probes.
    private static async Task RemoveLeftoversAsync(NpgsqlDataSource data, string agency, string? kept)
    {
        var others = new List<string>();
        await using (var command = data.CreateCommand($"""
            SELECT code FROM agencies a WHERE a.name = '{BackgroundName}' AND a.code IS DISTINCT FROM @kept
            UNION ALL
            SELECT code FROM agencies a WHERE a.name LIKE 'Alert benchmark stream %' AND a.disabled_at IS NOT NULL
                AND EXISTS (SELECT 1 FROM records r WHERE r.agency_code = a.code)
            """))
        {
            command.Parameters.AddWithValue("kept", (object?)kept ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                others.Add(reader.GetString(0));
            }
        }
        await RemoveProbesAsync(data, agency);
        if (others.Count > 0)
        {
            Console.WriteLine($"== removing what earlier runs left ({string.Join(", ", others)})");
            await BenchAgencies.DeleteAsync(data, [.. others]);
            await DeleteAlertQueuesAsync([.. others]);
        }
    }

    /// <summary>
    /// Removes the probe agency's benchmark records (<see cref="ProbePrefix"/>) with what the hub derived from them,
    /// as <see cref="BenchAgencies.DeleteAsync"/> does for a whole agency: the probe agency is a demo agency, whose other
    /// records stay. Their matches go, and with them their alerts.
    /// </summary>
    private static async Task RemoveProbesAsync(NpgsqlDataSource data, string agency)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            CREATE TEMPORARY TABLE bench_probes ON COMMIT DROP AS
                SELECT id FROM records WHERE agency_code = @agency AND local_id LIKE @prefix;
            DELETE FROM record_keys WHERE record_id IN (SELECT id FROM bench_probes);
            DELETE FROM match_pending WHERE record_id IN (SELECT id FROM bench_probes);
            INSERT INTO cluster_pending (record_id, queued_at)
            SELECT c.record_id, now() FROM cluster_members c
            WHERE c.record_id NOT IN (SELECT id FROM bench_probes)
              AND c.cluster_id IN (SELECT cluster_id FROM cluster_members WHERE record_id IN (SELECT id FROM bench_probes))
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at;
            DELETE FROM cluster_pending WHERE record_id IN (SELECT id FROM bench_probes);
            DELETE FROM matches WHERE record_a_id IN (SELECT id FROM bench_probes) OR record_b_id IN (SELECT id FROM bench_probes);
            INSERT INTO name_frequency_deltas (hash, delta)
            SELECT h.hash, -count(*)::int FROM name_frequency_sources s CROSS JOIN LATERAL unnest(s.hashes) AS h(hash)
            WHERE s.record_id IN (SELECT id FROM bench_probes) GROUP BY h.hash;
            DELETE FROM name_frequency_sources WHERE record_id IN (SELECT id FROM bench_probes);
            DELETE FROM records WHERE id IN (SELECT id FROM bench_probes);
            """, connection, transaction);
        command.CommandTimeout = (int)MatchBenchmark.LongStatement.TotalSeconds;
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("prefix", ProbePrefix + "%");
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Deletes the alert queues the Gateway's relay declared for the removed agencies (ADR-011), with the alerts on them,
    /// using the broker's administration credential that <c>./hub</c> passes (HUB_RABBIT_ADMIN_URL); without it they are
    /// left, and said so. A background is gone for good; the relay declares a registered stream agency's queue again,
    /// empty.
    /// </summary>
    private static async Task DeleteAlertQueuesAsync(string[] agencies)
    {
        if (Environment.GetEnvironmentVariable("HUB_RABBIT_ADMIN_URL") is not { Length: > 0 } admin)
        {
            Console.WriteLine($"== left the alert queues of {string.Join(", ", agencies)} (no HUB_RABBIT_ADMIN_URL)");
            return;
        }
        var factory = new ConnectionFactory { Uri = new Uri(admin), ClientProvidedName = "sharinghub-bench-alerts-clean-up" };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var code in agencies)
        {
            // A channel per queue: deleting one that does not exist is fine, but RabbitMQ closes the channel of a
            // failed operation.
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync($"sharinghub-alerts.{code}");
        }
    }
}
