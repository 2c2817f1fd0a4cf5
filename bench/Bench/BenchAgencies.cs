using Npgsql;

namespace SharingHub.Bench;

/// <summary>The benchmark agencies' data, removed after a run.</summary>
internal static class BenchAgencies
{
    /// <summary>
    /// Deletes everything the agencies left in the hub's database: blocking keys (which have no foreign key to their
    /// records, so nothing else removes them), pending markers, matches, the noted stop keys (all of them: blocks shrink), their records' name counts (as negative
    /// deltas, which the Gateway folds in), records, and the agencies the benchmark inserted itself (an agency
    /// registered through the hub is left disabled, ADR-014); then compacts the tables.
    /// </summary>
    public static async Task DeleteAsync(NpgsqlDataSource data, params string[] codes)
    {
        await using var command = data.CreateCommand("""
            DELETE FROM record_keys WHERE agency_code = ANY(@codes);
            DELETE FROM match_pending p USING records r WHERE r.id = p.record_id AND r.agency_code = ANY(@codes);
            -- Subject clusters (ADR-010): the other agencies' members of the clusters that lose records are recomputed.
            INSERT INTO cluster_pending (record_id, queued_at)
            SELECT c.record_id, now() FROM cluster_members c
            WHERE c.agency_code <> ALL(@codes) AND c.cluster_id IN (SELECT cluster_id FROM cluster_members WHERE agency_code = ANY(@codes))
            ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at;
            DELETE FROM cluster_pending p USING records r WHERE r.id = p.record_id AND r.agency_code = ANY(@codes);
            DELETE FROM matches WHERE agency_a = ANY(@codes) OR agency_b = ANY(@codes);
            -- Name counts (ADR-004): take back what the records added, as a withdrawal does; left behind, they made the
            -- next evaluation's names look rarer or commoner than its own records say.
            INSERT INTO name_frequency_deltas (hash, delta)
            SELECT h.hash, -count(*)::int FROM name_frequency_sources s JOIN records r ON r.id = s.record_id
                CROSS JOIN LATERAL unnest(s.hashes) AS h(hash)
            WHERE r.agency_code = ANY(@codes) GROUP BY h.hash;
            DELETE FROM name_frequency_sources s USING records r WHERE r.id = s.record_id AND r.agency_code = ANY(@codes);
            DELETE FROM records WHERE agency_code = ANY(@codes);
            -- Stop keys (ADR-005) are a cache of blocks seen over their caps: the deleted records may have filled them.
            DELETE FROM stop_keys;
            -- An agency registered through the hub (ADR-014) stays, disabled by the script that registered it, with its
            -- audit trail; one the benchmark inserted itself (a bulk-loaded background) goes.
            DELETE FROM agencies a WHERE a.code = ANY(@codes) AND NOT EXISTS (SELECT 1 FROM agency_broker_access b WHERE b.agency_code = a.code);
            """);
        command.CommandTimeout = (int)Match.MatchBenchmark.LongStatement.TotalSeconds;
        command.Parameters.AddWithValue("codes", codes);
        // The Gateway may still be matching the run's last records: its transactions and this one lock matches,
        // alerts and cluster markers in different orders, and PostgreSQL then aborts one of them. Either side tries
        // again (the matcher retries its batch).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                Console.WriteLine($"== the clean-up met the Gateway's matching in a deadlock; trying again ({attempt} of 4)");
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }

        // A hub never deletes records (a withdrawal is a tombstone), but a benchmark deletes up to a million with
        // their keys. Vacuumed, the space is reusable, yet the next run's writes and lookups then spread over the
        // emptied files and indexes: measured, the ingest ratio fell from 0.54 to 0.27-0.37 after two 1M match
        // benchmarks. Rewriting the tables (what remains is the hub's own data) leaves the next run a hub like before.
        Console.WriteLine("== compacting the tables the benchmark emptied (VACUUM FULL)");
        foreach (var table in new[] { "records", "record_keys", "matches", "match_events", "match_pending", "cluster_members", "cluster_pending" })
        {
            await using var vacuum = data.CreateCommand($"VACUUM (FULL, ANALYZE) {table}");
            vacuum.CommandTimeout = (int)Match.MatchBenchmark.LongStatement.TotalSeconds;
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Runs a benchmark's clean-up after its run (<see cref="Match.FirstFailure.CleanUpAfterAsync"/>): when the run
    /// failed and the clean-up fails too, the run's failure is reported first and the clean-up's after it; when the
    /// run succeeded, a clean-up failure propagates.
    /// </summary>
    public static Task CleanUpAsync(Func<Task> cleanUp, Exception? runFailure) => Match.FirstFailure.CleanUpAfterAsync(cleanUp, runFailure);
}
