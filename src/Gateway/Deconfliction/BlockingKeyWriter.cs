using Npgsql;
using NpgsqlTypes;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Records;
using SharingHub.Matching;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>
/// Step 1 of incremental matching, inside the batch's transaction: replaces the blocking keys of every record the
/// batch changed, and of every subject person whose phones or places changed (its evidence includes them), and
/// writes a <c>match_pending</c> marker for each. The markers commit atomically with the records and keys, so every
/// record stored is matched by a matching worker on some replica, even if this process dies right after the commit.
/// The changed records' precomputed matching features came with their upsert (<see cref="RecordBatchWriter"/>);
/// <see cref="MatchableLoader.LoadAsync"/> reads them, and normalizes and writes back only a row still without current
/// ones (a linked phone or place stored before the features existed).
/// </summary>
internal sealed class BlockingKeyWriter(MatchableLoader loader)
{
    /// <summary>Writes keys and markers; returns the ids whose matching is now pending.</summary>
    public async Task<IReadOnlyList<long>> WriteAsync(NpgsqlConnection connection, StoredRecordBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Changes.Count == 0)
        {
            return [];
        }
        var changedIds = batch.Changes.Select(c => c.Id).ToArray();
        var records = await loader.LoadAsync(connection, changedIds, cancellationToken, fresh: true);

        // A phone or place re-keys its subject now and the subject it had when last keyed (it may have moved).
        var subjects = records.Values.Where(m => m.SubjectId is not null).Select(m => m.SubjectId!.Value).ToHashSet();
        var owned = batch.Changes.Where(c => c.Kind is RecordKind.Phone or RecordKind.Location).Select(c => c.Id).ToArray();
        foreach (var old in await OldSubjectsAsync(connection, owned, cancellationToken))
        {
            subjects.Add(old);
        }
        subjects.ExceptWith(records.Keys);
        // Another batch may be re-keying the same person right now (its other phone, say). The row lock makes the two
        // take turns: the second then reads the first's committed phones and keys, instead of writing the same keys
        // beside them. (This batch's own records are locked already, by their upsert.) Holding the row also keeps the
        // person's evidence write below from being skipped (MatchableLoader.WriteFeaturesAsync skips rows others hold).
        await LockAsync(connection, subjects, cancellationToken);
        foreach (var (id, subject) in await loader.LoadAsync(connection, subjects, cancellationToken, fresh: true))
        {
            records[id] = subject;
        }

        var pending = new SortedSet<long>(records.Keys);
        // A new person whose phones or places arrived first: their hits can now name it as their subject.
        foreach (var change in batch.Changes.Where(c => c.Inserted && c.Kind == RecordKind.Person))
        {
            if (records.TryGetValue(change.Id, out var person))
            {
                pending.UnionWith(person.Linked);
            }
        }

        // Records this batch inserted have no keys yet: only the others' keys need deleting first.
        var inserted = batch.Changes.Where(c => c.Inserted).Select(c => c.Id).ToHashSet();
        await WriteDerivedAsync(connection, loader.Engine, records.Values, inserted, pending, cancellationToken);
        return [.. pending];
    }

    private static async Task LockAsync(NpgsqlConnection connection, HashSet<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand("SELECT id FROM records WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ids] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<long>> OldSubjectsAsync(NpgsqlConnection connection, long[] ids, CancellationToken cancellationToken)
    {
        var subjects = new List<long>();
        if (ids.Length == 0)
        {
            return subjects;
        }
        await using var command = new NpgsqlCommand(
            "SELECT DISTINCT subject_id FROM record_keys WHERE record_id = ANY(@ids) AND subject_id IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            subjects.Add(reader.GetInt64(0));
        }
        return subjects;
    }

    /// <summary>
    /// Replaces the keys and the name counts of <paramref name="records"/> (those in <paramref name="inserted"/> have
    /// no keys yet) and queues <paramref name="pending"/> for matching: one round trip, whatever the number of records.
    /// </summary>
    internal static async Task WriteDerivedAsync(NpgsqlConnection connection, MatchingEngine engine, IEnumerable<Matchable> records,
        HashSet<long> inserted, SortedSet<long> pending, CancellationToken cancellationToken)
    {
        var ordered = records.OrderBy(r => r.Id).ToList();
        await using var batch = new NpgsqlBatch(connection);
        var existing = ordered.Where(r => !inserted.Contains(r.Id)).Select(r => r.Id).ToArray();
        if (existing.Length > 0)
        {
            batch.BatchCommands.Add(Command("DELETE FROM record_keys WHERE record_id = ANY(@ids)", Ids(existing)));
        }
        var keys = ordered.Where(r => r.Usable).SelectMany(r => r.Keys.Select(key => (Record: r, Key: key))).ToList();
        if (keys.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO record_keys (record_id, kind, key, agency_code, subject_id)
                SELECT * FROM unnest(@ids, @kinds, @keys, @agencies, @subjects)
                """,
                Ids([.. keys.Select(k => k.Record.Id)]),
                new NpgsqlParameter<short[]>("kinds", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [.. keys.Select(k => (short)k.Record.Kind)] },
                new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. keys.Select(k => k.Key)] },
                new NpgsqlParameter<string[]>("agencies", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. keys.Select(k => k.Record.Agency)] },
                new NpgsqlParameter<long?[]>("subjects", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. keys.Select(k => k.Record.SubjectId)] }));
        }
        NameFrequencyWriter.Add(batch, engine, ordered);
        if (pending.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO match_pending (record_id, queued_at, attempts, trace_parent)
                SELECT id, clock_timestamp(), 0, @trace_parent FROM unnest(@ids) AS u(id) ORDER BY id
                ON CONFLICT (record_id) DO UPDATE SET queued_at = excluded.queued_at, attempts = 0, trace_parent = excluded.trace_parent
                """,
                Ids([.. pending]),
                // A sweep that runs these markers links to the trace that queued them (ADR-013).
                new NpgsqlParameter("trace_parent", NpgsqlDbType.Text) { Value = (object?)Telemetry.CurrentTraceParent() ?? DBNull.Value }));
        }
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<long[]> Ids(long[] ids) => new("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids };
}
