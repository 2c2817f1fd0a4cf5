using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Gateway.Alerts;
using SharingHub.Matching.Blocking;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Steps 3–5 of incremental matching, after the keys committed: for a set of pending records, one query finds the
/// candidates of other agencies that share a key, the engine scores them in memory, and one transaction upserts the
/// matches (unique per unordered pair and kind), closes the ones that no longer hold, appends the change feed and
/// clears the records' pending markers, in the transaction that claimed them (so no two runs hold a record at once).
/// Each run reads only committed data and is idempotent: a record matched again (requeued by a change, or after a lost
/// commit) yields duplicate hits, which are ignored conflicts.
/// </summary>
/// <remarks>
/// Every write carries the run's start time (<c>scored_at</c>); a run never overwrites a pair that a run started
/// later has already evaluated, because the later run read fresher records.
/// </remarks>
internal sealed partial class IncrementalMatcher(
    NpgsqlDataSource dataSource,
    MatchableLoader loader,
    NameFrequencyCache nameFrequencies,
    IOptions<DeconflictionOptions> options,
    IOptions<AlertOptions> alertOptions,
    DeconflictionMetrics metrics,
    AlertMetrics alertMetrics,
    SubjectClusterMaintainer clusters,
    ILogger<IncrementalMatcher> logger)
{
    // Which records a key of each kind may meet: places meet operations through area cells (q…), operations meet
    // operations through cell × time-bucket keys (o…); otherwise like meets like. Other agencies' entries are read as the
    // two ranges of the lookup index (key, kind, agency_code) around the source's own agency, whose entries are never
    // walked. Each key reads one row more than its cap, so that a block over the cap is known as such; coarse keys
    // (n:…, v:…, see BlockingKeys.IsCoarse) have a lower cap. A key noted as a stop key from this agency (stop_keys,
    // while the note is fresh and was taken at a cap no lower) is not read: its row says so, without candidates. One
    // row per source key that has candidates or is such a note, its candidates as one array: a run's lookup is a few
    // thousand rows, not tens of thousands of (source, candidate, key) rows that each repeat the key. The OFFSET 0 keeps
    // the candidates' subquery a subquery: pulled up, its array was an expression that the plan computed twice, once
    // for the filter and once for the output (two index walks a key; the lookup took 1.3 to 1.9 times as long).
    internal const string LookupSql = """
        SELECT s.record_id, s.key, x.key IS NOT NULL AS stopped, c.ids
        FROM record_keys s
        CROSS JOIN LATERAL (
            SELECT (CASE WHEN s.kind IN (1, 2) THEN s.kind
                         WHEN s.kind = 3 THEN CASE WHEN s.key LIKE 'q%' THEN 4 ELSE 3 END
                         ELSE CASE WHEN s.key LIKE 'q%' THEN 3 ELSE 4 END END)::smallint AS kind,
                   CASE WHEN s.key LIKE 'n:%' OR s.key LIKE 'v:%' THEN @coarse_limit ELSE @limit END AS cap) m
        LEFT JOIN stop_keys x ON x.key = s.key AND x.kind = s.kind AND x.agency_code = s.agency_code
            AND x.at_least >= m.cap AND x.found_at > now() - @stop_hours * interval '1 hour'
        CROSS JOIN LATERAL (
            SELECT ARRAY(
                SELECT o.record_id FROM (
                    (SELECT k.record_id FROM record_keys k
                     WHERE k.key = s.key AND k.kind = m.kind AND k.agency_code < s.agency_code LIMIT m.cap)
                    UNION ALL
                    (SELECT k.record_id FROM record_keys k
                     WHERE k.key = s.key AND k.kind = m.kind AND k.agency_code > s.agency_code LIMIT m.cap)) o
                WHERE x.key IS NULL
                LIMIT m.cap) AS ids OFFSET 0) c
        WHERE s.record_id = ANY(@ids) AND (x.key IS NOT NULL OR cardinality(c.ids) > 0)
        """;

    // Notes the stop keys a run met (see StopKey), in key order, so two runs that note the same keys lock them alike.
    private const string NoteStopKeys = """
        INSERT INTO stop_keys AS x (key, kind, agency_code, at_least, found_at)
        SELECT key, kind, agency_code, at_least, now() FROM unnest(@keys, @kinds, @agencies, @at_least) AS i(key, kind, agency_code, at_least)
        ORDER BY key, kind, agency_code
        ON CONFLICT (key, kind, agency_code) DO UPDATE SET at_least = excluded.at_least, found_at = excluded.found_at
        """;

    private const string Upsert = """
        WITH input AS (
            SELECT * FROM unnest(@kind, @a, @b, @agency_a, @agency_b, @subject_a, @subject_b, @score, @band, @explanation, @version, @fingerprint)
                AS i(kind, a, b, agency_a, agency_b, subject_a, subject_b, score, band, explanation, version, fingerprint)
        ),
        old AS (
            SELECT m.id, m.suppressed, m.band FROM matches m JOIN input i ON m.record_a_id = i.a AND m.record_b_id = i.b AND m.kind = i.kind
        ),
        up AS (
            INSERT INTO matches AS m (kind, record_a_id, record_b_id, agency_a, agency_b, subject_a_id, subject_b_id, score, band,
                explanation, parameters_version, fingerprint, first_found_at, changed_at, scored_at, suppressed)
            SELECT kind, a, b, agency_a, agency_b, subject_a, subject_b, score, band, explanation::jsonb, version, fingerprint,
                now(), now(), @run_start, false
            FROM input ORDER BY a, b, kind
            ON CONFLICT (record_a_id, record_b_id, kind) DO UPDATE SET
                subject_a_id = excluded.subject_a_id, subject_b_id = excluded.subject_b_id, score = excluded.score,
                band = excluded.band, explanation = excluded.explanation, parameters_version = excluded.parameters_version,
                fingerprint = excluded.fingerprint, scored_at = excluded.scored_at, closed_at = NULL, close_reason = NULL,
                suppressed = m.suppressed AND m.dismissed_fingerprint = excluded.fingerprint,
                changed_at = CASE WHEN m.closed_at IS NOT NULL
                        OR m.score IS DISTINCT FROM excluded.score OR m.band IS DISTINCT FROM excluded.band
                        OR m.explanation IS DISTINCT FROM excluded.explanation
                        OR m.subject_a_id IS DISTINCT FROM excluded.subject_a_id OR m.subject_b_id IS DISTINCT FROM excluded.subject_b_id
                        OR (m.suppressed AND m.dismissed_fingerprint IS DISTINCT FROM excluded.fingerprint)
                    THEN now() ELSE m.changed_at END
            WHERE m.scored_at < excluded.scored_at
            RETURNING m.id, m.xmax = '0'::xid AS inserted, m.changed_at = now() AS changed, m.suppressed, m.agency_a, m.agency_b,
                m.record_a_id, m.record_b_id, m.subject_a_id, m.subject_b_id, m.band, m.score, m.fingerprint, m.kind
        ),
        -- Subject clusters (ADR-010): both persons of a person match found or changed are queued for their cluster, when
        -- the match is or was Match-band: only those are links, so a Possible match found or re-scored changes no cluster.
        clustered AS (
            INSERT INTO cluster_pending (record_id, queued_at)
            SELECT DISTINCT v.id, now() FROM up LEFT JOIN old ON old.id = up.id
            CROSS JOIN LATERAL (VALUES (up.record_a_id), (up.record_b_id)) AS v(id)
            WHERE up.kind = 'PersonIdentity' AND (up.inserted OR up.changed) AND (up.band = 'Match' OR old.band = 'Match')
            ORDER BY 1
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at
            RETURNING 1
        ),
        lifted AS (
            UPDATE adjudications a SET lifted_at = now()
            FROM up JOIN old ON old.id = up.id
            WHERE a.match_id = up.id AND old.suppressed AND NOT up.suppressed AND a.decision = 'NotSame' AND a.lifted_at IS NULL
            RETURNING a.id, a.match_id
        ),
        events AS (
            INSERT INTO match_events (match_id, type, occurred_at)
            SELECT id, CASE WHEN inserted THEN 'MatchFound' ELSE 'MatchChanged' END, now() FROM up
            WHERE (inserted OR changed) AND NOT suppressed
            ORDER BY id
            RETURNING id
        ),
        -- Alerts (the outbox, ADR-011): one per owning agency of each new match, band change or score move beyond the
        -- threshold, in this transaction. A match touching a victim or a victim-service organisation's record is
        -- protective: to that organisation's advocates, and to the law-enforcement side's supervisors.
        sides AS (
            SELECT up.id AS match_id, up.inserted, up.band, up.score, up.fingerprint, s.agency, s.kind AS agency_kind,
                   (ra.role = 'Victim' OR rb.role = 'Victim' OR sa.role = 'Victim' OR sb.role = 'Victim'
                    OR ka.kind = 'VictimServices' OR kb.kind = 'VictimServices') IS TRUE AS protective,
                   EXISTS (SELECT 1 FROM lifted WHERE lifted.match_id = up.id) AS lifted
            FROM up
            JOIN records ra ON ra.id = up.record_a_id
            JOIN records rb ON rb.id = up.record_b_id
            LEFT JOIN records sa ON sa.id = up.subject_a_id
            LEFT JOIN records sb ON sb.id = up.subject_b_id
            JOIN agencies ka ON ka.code = up.agency_a
            JOIN agencies kb ON kb.code = up.agency_b
            CROSS JOIN LATERAL (VALUES (up.agency_a, ka.kind), (up.agency_b, kb.kind)) AS s(agency, kind)
            WHERE (up.inserted OR up.changed) AND NOT up.suppressed
        ),
        targets AS (
            SELECT sides.*,
                   CASE WHEN NOT protective THEN 'Officers' WHEN agency_kind = 'VictimServices' THEN 'Advocates' ELSE 'Supervisors' END AS audience,
                   CASE WHEN protective THEN 'Protective' ELSE 'Deconfliction' END AS alert_kind
            FROM sides
        ),
        raised AS (
            INSERT INTO alerts (match_id, agency_code, audience, kind, status, fingerprint, band, score, raised_at, trace_parent)
            SELECT t.match_id, t.agency, t.audience, t.alert_kind, 'Open',
                   t.fingerprint || ':' || coalesce(t.band, '-') || ':' || coalesce(round(t.score::numeric, 3)::text, '-') || ':'
                       || CASE WHEN t.inserted THEN 0
                               ELSE (SELECT count(*) FROM alerts r WHERE r.match_id = t.match_id AND r.agency_code = t.agency AND r.kind = 'Retraction') END,
                   t.band, t.score, now(), @trace_parent
            FROM targets t
            LEFT JOIN LATERAL (
                SELECT p.band, p.score, p.status, p.fingerprint FROM alerts p
                WHERE NOT t.inserted AND p.match_id = t.match_id AND p.agency_code = t.agency AND p.audience = t.audience AND p.kind = t.alert_kind
                ORDER BY p.id DESC LIMIT 1) last ON true
            -- A match this statement inserted has no alerts yet: neither probe reads the index for it.
            -- A score move is news only when a record changed (the match's fingerprint, the first part of the last
            -- alert's): the same two records re-scored after the name counts moved (a name that was new when the pair
            -- was first scored is counted now) are not a new finding. A band change always is.
            WHERE last.status IS NULL OR last.status = 'Retracted' OR t.lifted
               OR last.band IS DISTINCT FROM t.band
               OR (abs(coalesce(last.score, 0) - coalesce(t.score, 0)) >= @score_threshold
                   AND split_part(last.fingerprint, ':', 1) IS DISTINCT FROM t.fingerprint)
            ORDER BY t.match_id, t.agency
            ON CONFLICT DO NOTHING
            RETURNING kind
        )
        SELECT (SELECT count(*) FROM up WHERE inserted)::int, (SELECT count(*) FROM up WHERE changed AND NOT inserted)::int,
               (SELECT count(*) FROM lifted)::int, (SELECT count(*) FROM events)::int,
               (SELECT count(*) FROM raised WHERE kind = 'Deconfliction')::int, (SELECT count(*) FROM raised WHERE kind = 'Protective')::int,
               (SELECT count(*) FROM clustered)::int
        """;

    private const string Close = """
        WITH closed AS (
            UPDATE matches m SET closed_at = now(), close_reason = i.reason, changed_at = now(), scored_at = @run_start
            FROM unnest(@ids, @reasons) AS i(id, reason)
            WHERE m.id = i.id AND m.closed_at IS NULL AND m.scored_at < @run_start
            RETURNING m.id, m.suppressed, m.kind, m.band, m.record_a_id, m.record_b_id
        ),
        -- A closed Match-band person match was a link of its records' cluster (ADR-010); a closed Possible one was none.
        clustered AS (
            INSERT INTO cluster_pending (record_id, queued_at)
            SELECT DISTINCT v.id, now() FROM closed CROSS JOIN LATERAL (VALUES (closed.record_a_id), (closed.record_b_id)) AS v(id)
            WHERE closed.kind = 'PersonIdentity' AND closed.band = 'Match'
            ORDER BY 1
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at
            RETURNING 1
        ),
        events AS (
            INSERT INTO match_events (match_id, type, occurred_at)
            SELECT id, 'MatchClosed', now() FROM closed WHERE NOT suppressed ORDER BY id
            RETURNING id
        ),
        -- 28 CFR 23.20(h): every recipient of an alert about a match that no longer holds is told, in this transaction.
        retracted AS (
            UPDATE alerts a SET status = 'Retracted'
            FROM closed
            WHERE a.match_id = closed.id AND a.status <> 'Retracted' AND a.kind <> 'Retraction'
            RETURNING a.id, a.match_id, a.agency_code, a.audience
        ),
        told AS (
            INSERT INTO alerts (match_id, agency_code, audience, kind, status, fingerprint, raised_at, relates_to_id, trace_parent)
            SELECT match_id, agency_code, audience, 'Retraction', 'Open', 'retracts:' || id, now(), id, @trace_parent FROM retracted ORDER BY id
            ON CONFLICT DO NOTHING
            RETURNING id
        )
        SELECT (SELECT count(*) FROM closed)::int, (SELECT count(*) FROM events)::int, (SELECT count(*) FROM told)::int,
               (SELECT count(*) FROM clustered)::int
        """;

    /// <summary>
    /// Matches the records of <paramref name="ids"/> that are still pending, now, for a caller that waits for the
    /// answer (an officer submitting an operation); returns how many it processed. If a worker is running some of them,
    /// this waits for it, and those are then done. Transient database faults (deadlock, serialization) are retried a
    /// few times here; a run that still fails leaves the markers for the workers.
    /// </summary>
    public Task<int> RunAsync(IReadOnlyCollection<long> ids, string trigger, CancellationToken cancellationToken)
    {
        var sorted = ids.Distinct().Order().ToArray();
        return RunAsync(trigger, connection => ClaimAsync(connection, ClaimGivenSql, cancellationToken, Ids(sorted)), cancellationToken);
    }

    /// <summary>
    /// Claims the oldest pending records that no other run holds, at most <paramref name="limit"/>, and matches them:
    /// the matching workers' step (<see cref="MatchWorkers"/>). Returns how many it processed (0: nothing was free).
    /// </summary>
    public Task<int> RunNextAsync(int limit, CancellationToken cancellationToken) =>
        RunAsync("worker", connection => ClaimAsync(connection, ClaimNextSql, cancellationToken,
            new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit },
            new NpgsqlParameter<int>("max_attempts", NpgsqlDbType.Integer) { TypedValue = options.Value.MaxAttempts }), cancellationToken);

    private async Task<int> RunAsync(string trigger, Func<NpgsqlConnection, Task<Claim>> claim, CancellationToken cancellationToken)
    {
        // Nothing is claimed, let alone scored, before the name counts are known (NameFrequencyCache.WhenLoadedAsync).
        await nameFrequencies.WhenLoadedAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            // The claim's row locks keep every other run off these records until this transaction ends; its statements
            // read committed data, each on a fresh snapshot, so all they read is at least as new as the claim.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var claimed = await claim(connection);
            if (claimed.Markers.Count == 0)
            {
                return 0;
            }
            // A run matches records of one or more stores (each a trace): it continues the oldest one's trace and links
            // the others (ADR-013), and the alerts it raises carry its span on to the relay.
            using var activity = Telemetry.ActivitySource.StartActivity("match records", ActivityKind.Internal,
                Telemetry.ParseTraceParent(claimed.TraceParents.FirstOrDefault()),
                links: claimed.TraceParents.Skip(1).Take(MaxLinks).Select(Telemetry.ParseTraceParent).Where(c => c != default).Select(c => new ActivityLink(c)));
            activity?.SetTag(Telemetry.Tags.Trigger, trigger);
            activity?.SetTag(Telemetry.Tags.Records, claimed.Markers.Count);
            try
            {
                var processed = await RunClaimedAsync(connection, claimed, activity, clock, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                metrics.Run(trigger, "ok");
                return processed;
            }
            catch (PostgresException ex) when (ex.IsTransient && attempt < 4)
            {
                activity.Failed(ex);
                Log.Retrying(logger, trigger, ex.SqlState, attempt);
                await transaction.RollbackAsync(CancellationToken.None);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * attempt), cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or TimeoutException or NpgsqlException) || ex is PostgresException)
            {
                activity.Failed(ex);
                metrics.Run(trigger, "failed");
                await transaction.RollbackAsync(CancellationToken.None);
                throw new MatchRunFailedException([.. claimed.Markers.Keys.Order()], ex);
            }
            catch (Exception ex) when (activity.Failed(ex))
            {
                throw;
            }
        }
    }

    // Links a run's span keeps to the other traces whose records it matched.
    private const int MaxLinks = 64;

    /// <summary>The markers a run holds: each record's queue time, and the traces that queued them, oldest first.</summary>
    private sealed record Claim(DateTime RunStart, Dictionary<long, DateTime> Markers, List<string> TraceParents);

    // The run's start is the transaction's (now()), taken before anything is read.
    private const string ClaimNextSql = """
        SELECT now(), record_id, queued_at, trace_parent FROM match_pending
        WHERE attempts < @max_attempts
        ORDER BY queued_at LIMIT @limit
        FOR UPDATE SKIP LOCKED
        """;

    private const string ClaimGivenSql = """
        SELECT now(), record_id, queued_at, trace_parent FROM match_pending
        WHERE record_id = ANY(@ids)
        ORDER BY record_id
        FOR UPDATE
        """;

    private static async Task<Claim> ClaimAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var markers = new Dictionary<long, DateTime>();
        var traces = new List<(DateTime QueuedAt, string TraceParent)>();
        var runStart = default(DateTime);
        while (await reader.ReadAsync(cancellationToken))
        {
            runStart = reader.GetFieldValue<DateTime>(0);
            markers[reader.GetInt64(1)] = reader.GetFieldValue<DateTime>(2);
            if (!reader.IsDBNull(3))
            {
                traces.Add((reader.GetFieldValue<DateTime>(2), reader.GetString(3)));
            }
        }
        return new Claim(runStart, markers, [.. traces.OrderBy(t => t.QueuedAt).Select(t => t.TraceParent).Distinct(StringComparer.Ordinal)]);
    }

    private async Task<int> RunClaimedAsync(NpgsqlConnection connection, Claim claimed, Activity? activity, Stopwatch clock, CancellationToken cancellationToken)
    {
        // One round trip reads the records, the candidates that share their keys and the matches they are in; a second, the
        // phones and places that point to the persons among the records.
        var ids = claimed.Markers.Keys.Order().ToArray();
        var (runStart, markers) = (claimed.RunStart, claimed.Markers);
        LoadedRows sources;
        Dictionary<(long, string), long[]> byKey;
        HashSet<(long, string)> stopped;
        List<OpenMatch> existing;
        await using (var batch = new NpgsqlBatch(connection))
        {
            loader.AddLoad(batch, ids);
            batch.BatchCommands.Add(Command(LookupSql, Ids(ids),
                new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = options.Value.MaxCandidatesPerKey + 1 },
                new NpgsqlParameter<int>("coarse_limit", NpgsqlDbType.Integer) { TypedValue = options.Value.CoarseKeyMaxCandidates + 1 },
                new NpgsqlParameter<double>("stop_hours", NpgsqlDbType.Double) { TypedValue = options.Value.StopKeyHours }));
            batch.BatchCommands.Add(Command(OpenMatchesSql, Ids(ids)));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            sources = await MatchableLoader.ReadLoadAsync(reader, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            (byKey, stopped) = await ReadCandidatesAsync(reader, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            existing = await ReadOpenMatchesAsync(reader, cancellationToken);
        }
        var records = await loader.CompleteAsync(connection, sources, null, cancellationToken);
        var tLoad = clock.Elapsed.TotalMilliseconds;

        var (pairs, keysSkipped, pruned, stops) = Pairs(byKey, stopped, records);
        foreach (var match in existing)
        {
            pairs.Add((match.A, match.B));
        }

        var tLookup = clock.Elapsed.TotalMilliseconds;
        var missing = pairs.SelectMany(p => new[] { p.Item1, p.Item2 }).Where(id => !records.ContainsKey(id)).ToHashSet();
        foreach (var (id, record) in await loader.LoadAsync(connection, missing, cancellationToken))
        {
            records[id] = record;
        }

        var tCandidates = clock.Elapsed.TotalMilliseconds;
        var hits = new Dictionary<(long, long, MatchKind), MatchHit>();
        var frequencies = nameFrequencies.Current;
        foreach (var (x, y) in pairs)
        {
            if (records.TryGetValue(x, out var a) && records.TryGetValue(y, out var b) && MatchDecisions.Decide(loader.Engine, a, b, frequencies) is { } hit)
            {
                hits.TryAdd(hit.Pair, hit);
            }
        }
        var stale = existing.Where(m => !hits.ContainsKey((m.A, m.B, m.Kind)))
            .Select(m => (m.Id, Reason: IsWithdrawn(records, m.A) || IsWithdrawn(records, m.B) ? MatchCloseReason.Withdrawn : MatchCloseReason.NoLongerMatches))
            .OrderBy(m => m.Id)
            .ToList();

        var tScore = clock.Elapsed.TotalMilliseconds;
        var written = await WriteAsync(connection, runStart, alertOptions.Value.ScoreChangeThreshold, [.. hits.Values.OrderBy(h => h.A.Id).ThenBy(h => h.B.Id).ThenBy(h => h.Kind)], stale, stops, markers, cancellationToken);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Telemetry.Tags.Candidates, pairs.Count);
            activity.SetTag(Telemetry.Tags.Found, written.Found);
            activity.SetTag(Telemetry.Tags.MatchesChanged, written.Changed);
            activity.SetTag(Telemetry.Tags.Closed, written.Closed);
            activity.SetTag(Telemetry.Tags.AlertsRaised, written.DeconflictionAlerts + written.ProtectiveAlerts + written.Retractions);
        }
        metrics.Completed(markers.Count, pairs.Count, written, keysSkipped, pruned, clock.Elapsed);
        alertMetrics.Raised(written.DeconflictionAlerts, nameof(AlertKind.Deconfliction));
        alertMetrics.Raised(written.ProtectiveAlerts, nameof(AlertKind.Protective));
        alertMetrics.Retracted(written.Retractions);
        if (written.ClustersQueued > 0)
        {
            clusters.Kick();
        }
        Log.Ran(logger, markers.Count, pairs.Count, pruned, written.Found, written.Changed, written.Closed, clock.Elapsed.TotalMilliseconds);
        Log.Stages(logger, tLoad, tLookup - tLoad, tCandidates - tLookup, tScore - tCandidates, clock.Elapsed.TotalMilliseconds - tScore, records.Count);
        return markers.Count;
    }

    private static bool IsWithdrawn(Dictionary<long, Matchable> records, long id) =>
        !records.TryGetValue(id, out var record) || record.Row.Withdrawn;

    // The candidates by (source, key), and the (source, key)s skipped as noted stop keys (a row without candidates).
    private static async Task<(Dictionary<(long, string), long[]> ByKey, HashSet<(long, string)> Stopped)> ReadCandidatesAsync(
        NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<(long, string), long[]>();
        var stopped = new HashSet<(long, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = (reader.GetInt64(0), reader.GetString(1));
            if (reader.GetBoolean(2))
            {
                stopped.Add(key);
                continue;
            }
            byKey[key] = reader.GetFieldValue<long[]>(3);
        }
        return (byKey, stopped);
    }

    /// <summary>
    /// The candidate pairs of the usable sources among <paramref name="records"/>. A key shared by more records than
    /// the cap is a stop key and yields none (counted, and returned to be noted); a coarse key over its lower cap yields
    /// none either, by design: its narrower siblings stand in for it. A key already noted as a stop key
    /// (<paramref name="stopped"/>) was not read. Of the rest, each source compares every candidate it shares a strong
    /// key with, and only the best-ranked of those it shares only name and date keys with (<see cref="CandidateRanking"/>).
    /// </summary>
    private (HashSet<(long, long)> Pairs, int KeysSkipped, int Pruned, List<StopKey> Stops) Pairs(
        Dictionary<(long, string), long[]> byKey, HashSet<(long, string)> stopped, Dictionary<long, Matchable> records)
    {
        var cap = options.Value.MaxCandidatesPerKey;
        var coarseCap = options.Value.CoarseKeyMaxCandidates;
        var ranking = new CandidateRanking(options.Value.MaxWeakCandidatesPerRecord);
        var pairs = new HashSet<(long, long)>();
        var stops = new List<StopKey>();
        var skipped = stopped.Count(s => !BlockingKeys.IsCoarse(s.Item2));
        var pruned = 0;
        foreach (var source in byKey.GroupBy(entry => entry.Key.Item1))
        {
            if (!records.TryGetValue(source.Key, out var record) || !record.Usable)
            {
                continue;
            }
            var blocks = new List<(string, IReadOnlyCollection<long>)>();
            foreach (var ((_, key), candidates) in source)
            {
                var coarse = BlockingKeys.IsCoarse(key);
                if (candidates.Length > (coarse ? coarseCap : cap))
                {
                    skipped += coarse ? 0 : 1;
                    stops.Add(new StopKey { Key = key, Kind = (short)record.Kind, AgencyCode = record.Agency, AtLeast = candidates.Length });
                    continue;
                }
                blocks.Add((key, candidates));
            }
            var (chosen, prunedHere) = ranking.Choose(blocks);
            pruned += prunedHere;
            foreach (var candidate in chosen)
            {
                pairs.Add(source.Key < candidate ? (source.Key, candidate) : (candidate, source.Key));
            }
        }
        return (pairs, skipped, pruned, stops);
    }

    internal const string OpenMatchesSql = """
        SELECT id, kind, record_a_id, record_b_id FROM matches
        WHERE (record_a_id = ANY(@ids) OR record_b_id = ANY(@ids)) AND closed_at IS NULL
        """;

    private sealed record OpenMatch(long Id, MatchKind Kind, long A, long B);

    private static async Task<List<OpenMatch>> ReadOpenMatchesAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var matches = new List<OpenMatch>();
        while (await reader.ReadAsync(cancellationToken))
        {
            matches.Add(new OpenMatch(reader.GetInt64(0), Enum.Parse<MatchKind>(reader.GetString(1)), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return matches;
    }

    /// <summary>
    /// Upserts the hits, closes the stale matches and clears the markers: one batch, so one round trip, in the claim's
    /// transaction. Matches are derived data: the data source commits them without waiting for the WAL flush (see
    /// <see cref="DeconflictionExtensions"/>); if a crash loses the commit, it loses the marker deletions with it, and
    /// a matching worker recomputes the same rows.
    /// </summary>
    private static async Task<MatchWriteResult> WriteAsync(NpgsqlConnection connection, DateTime runStart, double scoreThreshold, List<MatchHit> hits,
        List<(long Id, MatchCloseReason Reason)> stale, List<StopKey> stops, Dictionary<long, DateTime> markers, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (hits.Count > 0 || stale.Count > 0)
        {
            // This transaction may raise or retract alerts, which are delivered as soon as they are visible: it commits
            // durably (the data source's default is synchronous_commit=off), so a crash cannot take back an alert that a
            // subscriber or a queue already has and raise it again under a new id (ADR-011).
            batch.BatchCommands.Add(Command("SELECT set_config('synchronous_commit', 'on', true)"));
        }
        if (hits.Count > 0)
        {
            batch.BatchCommands.Add(Command(Upsert,
                Array("kind", NpgsqlDbType.Text, hits.Select(h => h.Kind.ToString())),
                Array("a", NpgsqlDbType.Bigint, hits.Select(h => h.A.Id)),
                Array("b", NpgsqlDbType.Bigint, hits.Select(h => h.B.Id)),
                Array("agency_a", NpgsqlDbType.Text, hits.Select(h => h.A.Agency)),
                Array("agency_b", NpgsqlDbType.Text, hits.Select(h => h.B.Agency)),
                Array("subject_a", NpgsqlDbType.Bigint, hits.Select(h => h.SubjectA)),
                Array("subject_b", NpgsqlDbType.Bigint, hits.Select(h => h.SubjectB)),
                Array("score", NpgsqlDbType.Double, hits.Select(h => h.Score)),
                Array("band", NpgsqlDbType.Text, hits.Select(h => h.Band)),
                Array("explanation", NpgsqlDbType.Text, hits.Select(h => h.Explanation)),
                Array("version", NpgsqlDbType.Text, hits.Select(h => h.ParametersVersion)),
                Array("fingerprint", NpgsqlDbType.Text, hits.Select(h => h.Fingerprint)),
                new NpgsqlParameter<double>("score_threshold", NpgsqlDbType.Double) { TypedValue = scoreThreshold },
                RunStart(runStart),
                TraceParent()));
        }
        if (stale.Count > 0)
        {
            batch.BatchCommands.Add(Command(Close,
                Array("ids", NpgsqlDbType.Bigint, stale.Select(s => s.Id)),
                Array("reasons", NpgsqlDbType.Text, stale.Select(s => s.Reason.ToString())),
                RunStart(runStart),
                TraceParent()));
        }
        // The run holds these markers' locks, so nothing requeued them since the claim.
        batch.BatchCommands.Add(Command("DELETE FROM match_pending WHERE record_id = ANY(@ids)", Array("ids", NpgsqlDbType.Bigint, markers.Keys.Order())));
        if (stops.Count > 0)
        {
            // Two sources of one agency may meet the same stop key in one run.
            var noted = stops.DistinctBy(k => (k.Key, k.Kind, k.AgencyCode)).ToList();
            batch.BatchCommands.Add(Command(NoteStopKeys,
                Array("keys", NpgsqlDbType.Text, noted.Select(k => k.Key)),
                Array("kinds", NpgsqlDbType.Smallint, noted.Select(k => k.Kind)),
                Array("agencies", NpgsqlDbType.Text, noted.Select(k => k.AgencyCode)),
                Array("at_least", NpgsqlDbType.Integer, noted.Select(k => k.AtLeast))));
        }

        int found = 0, changed = 0, closed = 0, deconfliction = 0, protective = 0, retractions = 0, clustersQueued = 0;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (hits.Count > 0 || stale.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
        }
        if (hits.Count > 0)
        {
            await reader.ReadAsync(cancellationToken);
            found = reader.GetInt32(0);
            changed = reader.GetInt32(1);
            deconfliction = reader.GetInt32(4);
            protective = reader.GetInt32(5);
            clustersQueued += reader.GetInt32(6);
            await reader.NextResultAsync(cancellationToken);
        }
        if (stale.Count > 0)
        {
            await reader.ReadAsync(cancellationToken);
            closed = reader.GetInt32(0);
            retractions = reader.GetInt32(2);
            clustersQueued += reader.GetInt32(3);
            await reader.NextResultAsync(cancellationToken);
        }
        return new MatchWriteResult(found, changed, closed, deconfliction, protective, retractions) { ClustersQueued = clustersQueued };
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>The run's span, stored with the alerts it raises: the relay continues their trace (ADR-013).</summary>
    private static NpgsqlParameter TraceParent() =>
        new("trace_parent", NpgsqlDbType.Text) { Value = (object?)Telemetry.CurrentTraceParent() ?? DBNull.Value };

    private static NpgsqlParameter<DateTime> RunStart(DateTime runStart) => new("run_start", NpgsqlDbType.TimestampTz) { TypedValue = runStart };

    private static NpgsqlParameter<long[]> Ids(long[] ids) => new("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids };

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "matched {Records} records: {Candidates} candidate pairs ({Pruned} pruned), {Found} found, {Changed} changed, {Closed} closed in {Elapsed:F1} ms")]
        public static partial void Ran(ILogger logger, int records, int candidates, int pruned, int found, int changed, int closed, double elapsed);

        [LoggerMessage(Level = LogLevel.Debug, Message = "stages: markers+load {Load:F1} lookup {Lookup:F1} candidates {Candidates:F1} score {Score:F1} write {Write:F1} ms; {Records} records")]
        public static partial void Stages(ILogger logger, double load, double lookup, double candidates, double score, double write, int records);

        [LoggerMessage(Level = LogLevel.Information, Message = "matching run ({Trigger}) hit transient fault {SqlState}; attempt {Attempt}, retrying")]
        public static partial void Retrying(ILogger logger, string trigger, string sqlState, int attempt);
    }
}
