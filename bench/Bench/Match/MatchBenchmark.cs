using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Matching;
using SharingHub.Matching.Features;
using SharingHub.Matching.Normalization;
using SharingHub.Matching.Scoring;

namespace SharingHub.Bench.Match;

/// <summary>
/// <c>./hub bench match [--stored 100000,1000000] [--stream N] [--warmup N] [--rate N]</c>: for each size, bulk-loads background
/// records of another agency (binary COPY straight into <c>records</c> and <c>record_keys</c>, keys made by the same
/// engine the Gateway uses) up to N stored records, streams a warm-up of unmeasured probes (default 200), then streams
/// N probe persons, one record per message, through the real connector and Gateway (as fast as the hub confirms, or
/// paced at <c>--rate</c> records a second). Each probe is a variant of a background person, so each has a match. It prints, per size,
/// the latency from the probe's storage to its match (p50, p99; database clock: from the commit of the record to the
/// commit of its first match, with <c>track_commit_timestamp</c>), the stream's throughput, and the Gateway's
/// resident memory.
/// </summary>
internal static class MatchBenchmark
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new BenchArgs(arguments, "keep");
        var sizes = (args.Get("stored") ?? "100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToArray();
        var stream = args.Int("stream", 1000);
        var warmup = args.Int("warmup", 200);
        var rate = args.Int("rate", 0);
        if (rate < 0)
        {
            throw new ArgumentException("--rate must be a number of records a second (0: as fast as the hub confirms)");
        }
        var agency = args.Required("agency");
        var gatewayPid = args.Int("gateway-pid", 0);
        await using var data = NpgsqlDataSource.Create(BenchArgs.Env("ConnectionStrings__hubdb"));
        await using (var setting = data.CreateCommand("SHOW track_commit_timestamp"))
        {
            if (await setting.ExecuteScalarAsync() as string != "on")
            {
                Console.Error.WriteLine("bench match: PostgreSQL's track_commit_timestamp is off, so commit times cannot be read. ./hub infra turns it on at start: run ./hub down, then ./hub up.");
                return 1;
            }
        }
        var background = "BG" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        await ExecuteAsync(data, "INSERT INTO agencies (code, name, kind, region, created_at) VALUES (@p0, 'Match benchmark background', 'LawEnforcement', 'US', now())", background);

        var engine = MatchingEngine.CreateDefault();
        var people = new SyntheticPopulation(seed: 7);
        var loaded = 0;
        var results = new List<string>();
        var work = Directory.CreateTempSubdirectory("sharinghub-bench-match-");
        // Ctrl-C (SIGINT) or SIGTERM stops the run, not the process: the loaders are cancelled and awaited, and the
        // clean-up below still runs. A second signal ends the process at once (and leaves the records).
        using var interrupted = new CancellationTokenSource();
        string? signal = null;
        void Interrupt(System.Runtime.InteropServices.PosixSignalContext context)
        {
            if (Interlocked.CompareExchange(ref signal, context.Signal.ToString(), null) is not null)
            {
                return;
            }
            context.Cancel = true;
            Console.Error.WriteLine($"bench match: {signal} received: stopping the run, then removing its records (a second one ends the process and leaves them)");
            interrupted.Cancel();
        }
        using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Interrupt);
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Interrupt);
        var cancel = interrupted.Token;
        Exception? failure = null;
        try
        {
            foreach (var size in sizes)
            {
                var clock = Stopwatch.StartNew();
                loaded += await BulkLoadAsync(data, engine, people, background, size - loaded, cancel);
                // A hub's stored records have been through autovacuum (hint bits set, visibility map, statistics): so
                // are the bulk-loaded ones before the stream, or its first reads would pay for the load's leftovers.
                await ExecuteAsync(data, "VACUUM (ANALYZE) records, record_keys", cancel);
                // ... and its dirty pages are written: a checkpoint flushing the load during the stream would put its
                // I/O into the commits being measured. ./hub infra grants the hub's role pg_checkpoint.
                await ExecuteAsync(data, "CHECKPOINT", cancel);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {loaded:N0} background records stored (bulk load {clock.Elapsed.TotalSeconds:F0} s)"));

                // The target is a hub in steady state: a short unmeasured stream first, so the Gateway's first
                // matching runs (JIT, prepared statements, pooled connections) are not in the measured tail.
                if (warmup > 0)
                {
                    await StreamAsync(args, data, agency, people.Probes(warmup, -size).ToList(), work.FullName, $"warmup-{size}", rate, cancel);
                }
                var probes = people.Probes(stream, size).ToList();
                var run = Stopwatch.StartNew();
                var latencies = await StreamAsync(args, data, agency, probes, work.FullName, $"probes-{size}", rate, cancel);
                var elapsed = run.Elapsed;
                var (p50, p99) = (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
                var rss = gatewayPid > 0 ? ResidentMegabytes(gatewayPid) : double.NaN;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"stored {size,9:N0}: commit-to-match p50 {p50:F1} ms, p99 {p99:F1} ms, max {latencies.Max():F1} ms; stream {probes.Count / elapsed.TotalSeconds:F0} records/s{(rate > 0 ? $", paced at {rate}" : ", unpaced")} ({probes.Count} probes, {latencies.Count} matched); Gateway RSS {rss:F0} MB");
                Console.WriteLine(line);
                results.Add(line);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            failure = new BenchFailedException($"match interrupted by {signal} (after {loaded:N0} background records were loaded)");
            throw failure;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            if (!args.Flag("keep"))
            {
                // Nothing of the run is still writing here (the loaders and the connector have been awaited). After a
                // failure, the pool's idle connections may be dead (a restarted or terminated backend): the clean-up
                // starts on new ones. Its own error, if any, is reported after the run's (FirstFailure).
                if (failure is not null)
                {
                    data.Clear();
                }
                Console.WriteLine($"== removing the benchmark's records (agencies {background} and {agency})");
                await BenchAgencies.CleanUpAsync(() => BenchAgencies.DeleteAsync(data, background, agency), failure);
            }
            work.Delete(recursive: true);
        }

        Console.WriteLine();
        foreach (var line in results)
        {
            Console.WriteLine(line);
        }
        if (results.Count >= 2)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"targets: p99 at the largest size <= 50 ms; p99 ratio largest/smallest <= 2 (see lines above)"));
        }
        return 0;
    }

    /// <summary>
    /// The timeout of every statement whose time grows with the stored size (each chunk's COPY through the binary
    /// importer's <c>Timeout</c>; the id read-back, VACUUM, CHECKPOINT and the clean-up's DELETE and VACUUM FULL
    /// through <c>CommandTimeout</c>): at 5M records some take minutes, past Npgsql's default of 30 seconds. Sized for
    /// 10M stored records on this 2-core machine with room to spare; a statement that takes longer is stuck.
    /// </summary>
    internal static readonly TimeSpan LongStatement = TimeSpan.FromHours(2);

    private const int ChunkSize = 100_000;
    private const int Loaders = 2;

    /// <summary>
    /// Loads <paramref name="count"/> background records in chunks of <see cref="ChunkSize"/>, generated in order and
    /// written by <see cref="Loaders"/> loaders in parallel (one makes keys while the other's COPY runs). The first
    /// failure, or <paramref name="cancellationToken"/>, stops every loader (<see cref="FirstFailure.RunAllAsync"/>):
    /// when this returns or throws, nothing is still inserting, so a clean-up that follows cannot race a loader.
    /// </summary>
    internal static async Task<int> BulkLoadAsync(NpgsqlDataSource data, MatchingEngine engine, SyntheticPopulation people, string agency, int count,
        CancellationToken cancellationToken = default)
    {
        if (count <= 0)
        {
            return 0;
        }
        var chunks = System.Threading.Channels.Channel.CreateBounded<List<SyntheticRecord>>(Loaders);
        var loaded = 0;
        var workers = new List<Func<CancellationToken, Task>>
        {
            async stop =>
            {
                try
                {
                    for (var left = count; left > 0; left -= ChunkSize)
                    {
                        // A chunk never splits a person from the phone and place it owns (Next ends at a person's group).
                        await chunks.Writer.WriteAsync([.. people.Next(Math.Min(ChunkSize, left))], stop);
                    }
                    chunks.Writer.Complete();
                }
                catch (Exception failure)
                {
                    chunks.Writer.Complete(failure);
                    throw;
                }
            },
        };
        workers.AddRange(Enumerable.Range(0, Loaders).Select(_ => (Func<CancellationToken, Task>)(async stop =>
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(stop))
            {
                Interlocked.Add(ref loaded, await LoadChunkAsync(data, engine, agency, chunk, stop));
            }
        })));
        try
        {
            await FirstFailure.RunAllAsync(workers, cancellationToken);
        }
        catch (Exception)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench match: the bulk load stopped after {Volatile.Read(ref loaded):N0} of {count:N0} records; all {Loaders} loaders have ended; the first error is reported at the end, after the clean-up"));
            throw;
        }
        await WaitForNameCountsAsync(data, TimeSpan.FromMinutes(2), cancellationToken);
        return loaded;
    }

    /// <summary>
    /// Waits until the Gateway has folded every appended name-count delta (it does so every few seconds,
    /// <c>NameFrequencyCache</c>) and reloaded its snapshot right after: until then it scores with the counts of before
    /// a bulk load. Throws after <paramref name="patience"/>: the Gateway is not running.
    /// </summary>
    internal static async Task WaitForNameCountsAsync(NpgsqlDataSource data, TimeSpan patience, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var pending = data.CreateCommand("SELECT EXISTS (SELECT 1 FROM name_frequency_deltas)"))
            {
                if (await pending.ExecuteScalarAsync(cancellationToken) is false)
                {
                    break;
                }
            }
            if (clock.Elapsed > patience)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"the Gateway has not folded the loaded records' name counts in {patience.TotalMinutes:0} minutes: is it running?"));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        // The fold and the reload are one refresh: give the reload its moment.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
    }

    /// <summary>
    /// Writes the name counts of bulk-loaded persons as the Gateway keeps them (<c>NameFrequencyWriter</c>): each
    /// person's component hashes as its source row, and their sum appended as deltas, which the Gateway folds into
    /// <c>name_frequencies</c>. Without them the term-frequency weights and the population's size would be those of
    /// the records published through the Gateway alone.
    /// </summary>
    internal static async Task CopyNameCountsAsync(NpgsqlConnection connection, MatchingEngine engine,
        IEnumerable<(long Id, PersonInput Person)> persons, CancellationToken cancellationToken = default)
    {
        var sources = persons
            .Select(p => (p.Id, Hashes: engine.NameComponents(engine.BuildPersonEvidence(p.Person)).Select(NameFrequencies.Hash).Distinct().Order().ToArray()))
            .Where(s => s.Hashes.Length > 0)
            .ToList();
        await using (var importer = await connection.BeginBinaryImportAsync("COPY name_frequency_sources (record_id, hashes) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            importer.Timeout = LongStatement;
            foreach (var (id, hashes) in sources)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(hashes, NpgsqlDbType.Array | NpgsqlDbType.Bigint, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
        await using (var importer = await connection.BeginBinaryImportAsync("COPY name_frequency_deltas (hash, delta) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            importer.Timeout = LongStatement;
            foreach (var group in sources.SelectMany(s => s.Hashes).GroupBy(hash => hash).OrderBy(g => g.Key))
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(group.Key, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(group.Count(), NpgsqlDbType.Integer, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
    }

    private static async Task<int> LoadChunkAsync(NpgsqlDataSource data, MatchingEngine engine, string agency, List<SyntheticRecord> batch,
        CancellationToken cancellationToken)
    {
        await using var connection = await data.OpenConnectionAsync(cancellationToken);
        // Each person's evidence with the phones and places of the chunk that point to it (a chunk never splits them):
        // its stored features and its keys, as the Gateway's key writer makes them.
        var owned = batch.Where(r => r.SubjectRef is not null).ToLookup(r => r.SubjectRef!);
        var evidence = batch.Where(r => r.Kind == "Person").ToDictionary(r => r.LocalId, r => Evidence(engine, r, owned[r.LocalId]));
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY records (agency_code, kind, local_id, version, first_seen_at, updated_at, subject_ref, sensitivity,
                control_official_name, control_official_channel, role, given_name, surname, aliases, birth_year, birth_month, birth_day,
                sex, identifiers, phone_raw, phone_e164, phone_validity, address, latitude, longitude, features) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            importer.Timeout = LongStatement;
            var now = DateTime.UtcNow;
            foreach (var r in batch)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(agency, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(r.LocalId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await Nullable(importer, r.SubjectRef, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync("Open", NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync("Det. Bench", NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync("+1 713 555 0100", NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Kind == "Person" ? "Unknown" : null, NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Given, NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Surname, NpgsqlDbType.Text, cancellationToken);
                if (r.Kind == "Person")
                {
                    await importer.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                await Nullable(importer, r.Birth?.Year is { } y ? (short?)y : null, NpgsqlDbType.Smallint, cancellationToken);
                await Nullable(importer, r.Birth?.Month is { } m ? (short?)m : null, NpgsqlDbType.Smallint, cancellationToken);
                await Nullable(importer, r.Birth?.Day is { } d ? (short?)d : null, NpgsqlDbType.Smallint, cancellationToken);
                // Stored as the Gateway stores it (PersonSex's name), not as the canonical file writes it.
                await Nullable(importer, r.Kind == "Person" ? StoredSex(r.Sex) : null, NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Ssn is null ? null : JsonSerializer.Serialize(new[] { new { category = "ssn", id = r.Ssn } }), NpgsqlDbType.Jsonb, cancellationToken);
                await Nullable(importer, r.Phone, NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Phone, NpgsqlDbType.Text, cancellationToken);
                if (r.Phone is null)
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await importer.WriteAsync(new NpgsqlRange<DateOnly>(new DateOnly(2024, 1, 1), true, false, default, false, true), NpgsqlDbType.DateRange, cancellationToken);
                }
                await Nullable(importer, r.Address, NpgsqlDbType.Text, cancellationToken);
                await Nullable(importer, r.Latitude, NpgsqlDbType.Double, cancellationToken);
                await Nullable(importer, r.Longitude, NpgsqlDbType.Double, cancellationToken);
                // The precomputed features, as the Gateway writes them with a record it stores.
                await importer.WriteAsync(r.Kind == "Person" ? engine.PersonFeatures(evidence[r.LocalId]) : Features(engine, r), NpgsqlDbType.Bytea, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        // Ids back, then the keys the Gateway would write: persons with their phones and places.
        var ids = new Dictionary<string, long>(batch.Count, StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("SELECT local_id, id FROM records WHERE agency_code = @a AND local_id = ANY(@ids)", connection))
        {
            select.CommandTimeout = (int)LongStatement.TotalSeconds;
            select.Parameters.AddWithValue("a", agency);
            select.Parameters.AddWithValue("ids", batch.Select(b => b.LocalId).ToArray());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        await using (var keys = await connection.BeginBinaryImportAsync("COPY record_keys (record_id, kind, key, agency_code, subject_id) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            keys.Timeout = LongStatement;
            foreach (var r in batch)
            {
                var id = ids[r.LocalId];
                long? subject = r.SubjectRef is { } s && ids.TryGetValue(s, out var sid) ? sid : null;
                var (kind, recordKeys) = r.Kind switch
                {
                    "Person" => ((short)1, engine.PersonKeys(evidence[r.LocalId])),
                    "Phone" => ((short)2, engine.PhoneKeys(engine.NormalizePhone(new PhoneInput(r.Phone!, new DateOnly(2024, 1, 1))))),
                    _ => ((short)3, engine.PlaceKeys(engine.NormalizePlace(new PlaceInput(r.Address, r.Latitude, r.Longitude)))),
                };
                foreach (var key in recordKeys)
                {
                    await keys.StartRowAsync(cancellationToken);
                    await keys.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                    await keys.WriteAsync(kind, NpgsqlDbType.Smallint, cancellationToken);
                    await keys.WriteAsync(key, NpgsqlDbType.Text, cancellationToken);
                    await keys.WriteAsync(agency, NpgsqlDbType.Text, cancellationToken);
                    await Nullable(keys, kind == 1 ? null : subject, NpgsqlDbType.Bigint, cancellationToken);
                }
            }
            await keys.CompleteAsync(cancellationToken);
        }

        await CopyNameCountsAsync(connection, engine,
            batch.Where(r => r.Kind == "Person").Select(r => (ids[r.LocalId], r.ToInput())), cancellationToken);
        return batch.Count;
    }

    // A person's evidence as the Gateway composes it from the stored rows: its own fields exactly as stored (aliases
    // empty, the sex's stored name, the identifier as its JSON reads back), its phones (valid from 2024-01-01, in id
    // order, which is the chunk's order) and its places' addresses.
    private static PersonEvidence Evidence(MatchingEngine engine, SyntheticRecord person, IEnumerable<SyntheticRecord> owned)
    {
        var own = engine.BuildPersonEvidence(new PersonInput(person.Given, person.Surname, [],
            person.Birth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StoredSex(person.Sex), person.Ssn is null ? null : [new IdentifierInput("ssn", person.Ssn)]));
        return engine.ComposePersonEvidence(own,
            owned.Where(o => o.Phone is not null).Select(o => (new PhoneInput(o.Phone!, new DateOnly(2024, 1, 1), null, person.LocalId), (PhoneFeatures?)null)),
            owned.Where(o => o.Address is not null).Select(o => AddressNormalizer.Normalize(o.Address)));
    }

    // The features of a stored phone or place: the phone's number, the place's address.
    private static byte[] Features(MatchingEngine engine, SyntheticRecord r) => r.Kind == "Phone" ? engine.PhoneFeatures(r.Phone) : engine.AddressFeatures(r.Address);

    private static string StoredSex(string? sex) => sex switch { "F" => "Female", "M" => "Male", _ => "Unknown" };

    private static async Task Nullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(value, type, cancellationToken);
        }
    }

    /// <summary>
    /// Publishes <paramref name="probes"/> through the connector and returns their commit-to-match latencies. Unpaced
    /// (<paramref name="rate"/> 0), the connector CLI sends them as fast as the hub confirms, so the latencies include
    /// the queue that a saturated hub builds; paced, the connector's own publish path sends each at its time
    /// (<see cref="PublishPacedAsync"/>), so runs at the same rate compare.
    /// </summary>
    private static async Task<List<double>> StreamAsync(BenchArgs args, NpgsqlDataSource data, string agency,
        List<SyntheticRecord> probes, string work, string name, int rate, CancellationToken cancellationToken)
    {
        if (rate > 0)
        {
            await PublishPacedAsync(args, agency, probes, rate, cancellationToken);
        }
        else
        {
            var file = Path.Combine(work, name + ".jsonl");
            await File.WriteAllLinesAsync(file, probes.Select(p => p.ToCanonicalLine()), cancellationToken);
            await PublishAsync(args, agency, file, work, cancellationToken);
        }
        return await WaitForMatchesAsync(data, agency, probes.Select(p => p.LocalId).ToArray(), cancellationToken);
    }

    /// <summary>
    /// One record per message at <paramref name="rate"/> records a second, through the connector's parser, sanitizer
    /// and publisher in process (<see cref="Alerts.ConnectorPath"/>): the i-th is sent at i / rate seconds, or at once
    /// when the one before was confirmed late (a loaded machine), so the rate holds on average.
    /// </summary>
    private static async Task PublishPacedAsync(BenchArgs args, string agency, List<SyntheticRecord> probes, int rate, CancellationToken cancellationToken)
    {
        await using var connector = await Alerts.ConnectorPath.StartAsync(new Uri(args.Required("broker")), agency, args.Required("password-file"), cancellationToken);
        var batches = probes.Select(p => connector.Prepare(p.ToCanonicalLine())).ToList();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
            await connector.PublishAsync(batches[i], cancellationToken);
        }
    }

    private static async Task PublishAsync(BenchArgs args, string agency, string file, string work, CancellationToken cancellationToken)
    {
        // The real path: the connector CLI, one record per message, as fast as it confirms. A stopped run publishes
        // nothing more: the connector is ended and awaited before the clean-up.
        var (exitCode, output) = await BenchProcess.RunAsync("dotnet",
        [
            args.Required("connector"), "publish", "--agency", agency, "--file", file,
            "--broker", args.Required("broker"), "--password-file", args.Required("password-file"),
            "--state-dir", Path.Combine(work, "state"), "--batch-size", "1",
        ], cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"the connector exited {exitCode}: {output}");
        }
    }

    /// <summary>Waits until every probe is stored with no matching pending; returns each matched probe's latency in ms.</summary>
    private static async Task<List<double>> WaitForMatchesAsync(NpgsqlDataSource data, string agency, string[] localIds, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            await using var command = data.CreateCommand("""
                SELECT (SELECT count(*) FROM records WHERE agency_code = @a AND local_id = ANY(@ids)),
                       (SELECT count(*) FROM match_pending p JOIN records r ON r.id = p.record_id WHERE r.agency_code = @a)
                """);
            command.Parameters.AddWithValue("a", agency);
            command.Parameters.AddWithValue("ids", localIds);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                if (reader.GetInt64(0) == localIds.Length && reader.GetInt64(1) == 0)
                {
                    break;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the probes were not stored and matched within 10 minutes");
            }
            await Task.Delay(200, cancellationToken);
        }
        // From the commit of the probe's record to the commit of its first match (row versions' commit timestamps).
        await using var latency = data.CreateCommand("""
            SELECT extract(epoch FROM min(pg_xact_commit_timestamp(m.xmin)) - pg_xact_commit_timestamp(r.xmin)) * 1000
            FROM records r JOIN matches m ON m.record_a_id = r.id OR m.record_b_id = r.id
            WHERE r.agency_code = @a AND r.local_id = ANY(@ids)
            GROUP BY r.id, r.xmin
            """);
        latency.Parameters.AddWithValue("a", agency);
        latency.Parameters.AddWithValue("ids", localIds);
        var values = new List<double>();
        await using var rows = await latency.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            values.Add((double)rows.GetDecimal(0));
        }
        return values;
    }

    internal static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private static double ResidentMegabytes(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return double.NaN;
        }
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    internal static Task ExecuteAsync(NpgsqlDataSource data, string sql, params object[] parameters) =>
        ExecuteAsync(data, sql, CancellationToken.None, parameters);

    /// <summary>Runs one statement with the <see cref="LongStatement"/> timeout (@p0, @p1... are the parameters).</summary>
    internal static async Task ExecuteAsync(NpgsqlDataSource data, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = data.CreateCommand(sql);
        command.CommandTimeout = (int)LongStatement.TotalSeconds;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>One synthetic record of the benchmark's background or probes.</summary>
internal sealed record SyntheticRecord(string Kind, string LocalId, string? SubjectRef = null, string? Given = null, string? Surname = null,
    DateOnly? Birth = null, string? Sex = null, string? Ssn = null, string? Phone = null, string? Address = null, double? Latitude = null, double? Longitude = null)
{
    public PersonInput ToInput() => new(Given, Surname, null, Birth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Sex,
        Ssn is null ? null : [new IdentifierInput("ssn", Ssn)]);

    /// <summary>The record as a connector's canonical JSON line: a person, or a phone or place that points to one.</summary>
    public string ToCanonicalLine() => Kind switch
    {
        "Phone" => JsonSerializer.Serialize(new
        {
            kind = "phone",
            localId = LocalId,
            version = 1,
            subjectRef = SubjectRef,
            number = Phone,
            validFrom = "2024-01-01",
            labels = Labels,
        }, Json),
        "Location" => JsonSerializer.Serialize(new
        {
            kind = "location",
            localId = LocalId,
            version = 1,
            subjectRef = SubjectRef,
            address = Address,
            lat = Latitude,
            lon = Longitude,
            labels = Labels,
        }, Json),
        _ => PersonLine(),
    };

    private static readonly object Labels = new { sensitivity = "open", controlOfficial = new { name = "Det. Bench", channel = "+1 713 555 0100" } };

    private string PersonLine() => JsonSerializer.Serialize(new
    {
        kind = "person",
        localId = LocalId,
        version = 1,
        role = "unknown",
        givenName = Given,
        surname = Surname,
        birthDate = Birth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        sex = Sex,
        identifiers = Ssn is null ? null : new[] { new { category = "ssn", id = Ssn } },
        labels = Labels,
    }, Json);

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>
/// A deterministic synthetic population: persons (60 %) with Zipf-like common and rare names, dates of birth over 70
/// years, an SSN for half of them; phones (25 %) and places (15 %) that point to them. Probes are typo'd or nicknamed
/// copies of stored persons published by another agency.
/// </summary>
internal sealed class SyntheticPopulation(int seed)
{
    private static readonly string[] CommonGiven = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "José", "María", "Juan", "Guadalupe", "Luis", "Ana", "Carlos", "Rosa", "Jorge", "Carmen", "Miguel", "Lucía"];
    private static readonly string[] CommonSurnames = ["Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis", "Rodríguez", "Martínez",
        "Hernández", "López", "González", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Pérez", "Sánchez", "Ramírez", "Torres"];
    private static readonly string[] Syllables = ["ka", "lo", "mi", "ten", "sa", "ru", "be", "dor", "vi", "quel", "na", "fi", "go", "zan", "pe", "tru",
        "mar", "sol", "chu", "le", "bra", "nis", "ot", "wen"];
    private static readonly string[] Streets = ["Main St", "Navigation Blvd", "Harrisburg Blvd", "Airline Dr", "Bissonnet St", "Long Point Rd", "Elm St", "Oak Ave"];

    private readonly Random _random = new(seed);
    private readonly List<SyntheticRecord> _persons = [];
    private int _next;

    public IEnumerable<SyntheticRecord> Next(int count)
    {
        var produced = 0;
        while (produced < count)
        {
            var n = _next++;
            var person = new SyntheticRecord("Person", $"P-{n}",
                Given: Name(CommonGiven, 0.5), Surname: Name(CommonSurnames, 0.3) + (_random.Next(3) == 0 ? " " + Name(CommonSurnames, 0.3) : ""),
                Birth: new DateOnly(1940, 1, 1).AddDays(_random.Next(70 * 365)), Sex: _random.Next(2) == 0 ? "F" : "M",
                Ssn: _random.Next(2) == 0 ? (100_000_000 + _random.Next(800_000_000)).ToString(CultureInfo.InvariantCulture) : null);
            _persons.Add(person);
            yield return person;
            produced++;
            if (produced < count && _random.Next(12) < 5)
            {
                yield return new SyntheticRecord("Phone", $"T-{n}", SubjectRef: person.LocalId,
                    Phone: string.Create(CultureInfo.InvariantCulture, $"+1{_random.Next(201, 990)}{_random.Next(200, 999)}{_random.Next(10000):D4}"));
                produced++;
            }
            if (produced < count && _random.Next(4) == 0)
            {
                yield return new SyntheticRecord("Location", $"L-{n}", SubjectRef: person.LocalId,
                    Address: string.Create(CultureInfo.InvariantCulture, $"{1 + _random.Next(9999)} {Streets[_random.Next(Streets.Length)]}, Houston, TX 770{_random.Next(100):D2}"),
                    Latitude: Math.Round(29.5 + (_random.NextDouble() * 0.5), 5), Longitude: Math.Round(-95.7 + (_random.NextDouble() * 0.6), 5));
                produced++;
            }
        }
    }

    /// <summary>Variants of stored persons (a typo in the surname or an initial for the given name), under new local ids.</summary>
    public IEnumerable<SyntheticRecord> Probes(int count, int tag)
    {
        for (var i = 0; i < count; i++)
        {
            var source = _persons[_random.Next(_persons.Count)];
            var surname = source.Surname!;
            var position = _random.Next(1, surname.Length - 1);
            var typo = _random.Next(2) == 0 ? surname : surname.Remove(position, 1).Insert(position, "e");
            yield return source with { LocalId = $"S{tag}-{i}", Surname = typo, Given = _random.Next(3) == 0 ? source.Given![..1] + "." : source.Given };
        }
    }

    private string Name(string[] common, double commonShare)
    {
        if (_random.NextDouble() < commonShare)
        {
            // Zipf-like: the first names of the list are the most frequent.
            var rank = (int)Math.Floor(Math.Pow(_random.NextDouble(), 2) * common.Length);
            return common[rank];
        }
        var builder = new StringBuilder();
        var parts = 2 + _random.Next(2);
        for (var i = 0; i < parts; i++)
        {
            builder.Append(Syllables[_random.Next(Syllables.Length)]);
        }
        builder[0] = char.ToUpperInvariant(builder[0]);
        return builder.ToString();
    }
}
