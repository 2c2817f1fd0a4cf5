using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Matching;
using SharingHub.Matching.Features;
using SharingHub.Matching.Normalization;
using PlannedOperation = SharingHub.Matching.PlannedOperation;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>A stored record's matching-relevant columns, as read back from <c>records</c> (see <c>MatchableLoader.Row</c>).</summary>
internal sealed class RecordRow
{
    public long Id { get; set; }

    public string Agency { get; set; } = "";

    public RecordKind Kind { get; set; }

    public string LocalId { get; set; } = "";

    public bool Withdrawn { get; set; }

    public string? SubjectRef { get; set; }

    public string? GivenName { get; set; }

    public string? Surname { get; set; }

    public string[]? Aliases { get; set; }

    public short? BirthYear { get; set; }

    public short? BirthMonth { get; set; }

    public short? BirthDay { get; set; }

    public string? Sex { get; set; }

    public string? Identifiers { get; set; }

    public string? PhoneE164 { get; set; }

    public DateOnly? ValidFrom { get; set; }

    public DateOnly? ValidTo { get; set; }

    public string? Address { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public double? RadiusMeters { get; set; }

    public DateTime? StartsAt { get; set; }

    public DateTime? EndsAt { get; set; }

    /// <summary>The stored precomputed features (<see cref="RecordFeatures"/>); null until written.</summary>
    public byte[]? Features { get; set; }

    /// <summary>The row version read (<c>xmin</c>): features computed from this read are written back only onto it.</summary>
    public long RowVersion { get; set; }

    /// <summary>
    /// Whether the fields that current features stand in for (a person's names, birth date, sex and identifiers, a
    /// place's address) were read: only when the stored features were missing or of another engine stamp.
    /// </summary>
    public bool RawRead { get; set; }

    /// <summary>A person's evidence, decoded from current features by the loader (null: build it from the raw fields and what points to it).</summary>
    public PersonEvidence? Evidence { get; set; }

    /// <summary>A place's address, decoded from current features by the loader (null: normalize the raw address).</summary>
    public NormalizedAddress? DecodedAddress { get; set; }

    public bool IsOperation => Kind == RecordKind.Location && StartsAt is not null && EndsAt is not null && RadiusMeters is not null;

    public KeyedKind Keyed => Kind switch
    {
        RecordKind.Person => KeyedKind.Person,
        RecordKind.Phone => KeyedKind.Phone,
        RecordKind.Location => IsOperation ? KeyedKind.Operation : KeyedKind.Place,
        _ => throw new InvalidOperationException($"Unknown record kind {Kind}."),
    };

    /// <summary>Whether it can point to a subject person (a phone or a place, not an operation).</summary>
    public bool BelongsToSubject => SubjectRef is not null && Keyed is KeyedKind.Phone or KeyedKind.Place;

    public string? BirthDate => BirthYear is not { } year ? null
        : BirthMonth is not { } month ? year.ToString("D4", CultureInfo.InvariantCulture)
        : BirthDay is not { } day ? string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}");
}

/// <summary>A record ready for matching: normalized by the engine, with its keys and fingerprint.</summary>
internal sealed class Matchable
{
    public required RecordRow Row { get; init; }

    public long Id => Row.Id;

    public string Agency => Row.Agency;

    public KeyedKind Kind => Row.Keyed;

    /// <summary>False when withdrawn or when nothing of it could be normalized: it matches nothing.</summary>
    public bool Usable { get; init; }

    public PersonEvidence? Person { get; init; }

    public NormalizedPhone? Phone { get; init; }

    public NormalizedPlace? Place { get; init; }

    public PlannedOperation? Operation { get; init; }

    /// <summary>Phones and places: the subject person's record id.</summary>
    public long? SubjectId { get; init; }

    /// <summary>
    /// Persons: the ids of the phones and places that point to it, when they were read (a load with <c>fresh</c>, or of a
    /// person without current stored evidence); empty otherwise.
    /// </summary>
    public IReadOnlyList<long> Linked { get; init; } = [];

    /// <summary>Its blocking keys, computed when first read (a candidate that is only scored never needs them).</summary>
    public IReadOnlyList<string> Keys => _keys ??= ComputeKeys?.Invoke() ?? [];

    /// <summary>Hash of the normalized matching fields (32 hex characters), computed when first read (hits only).</summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint?.Invoke() ?? "";

    public Func<IReadOnlyList<string>>? ComputeKeys { private get; init; }

    public Func<string>? ComputeFingerprint { private get; init; }

    private IReadOnlyList<string>? _keys;
    private string? _fingerprint;
}

/// <summary>Features the loader computed because a row had none (or stale ones), to write back onto that row version.</summary>
internal readonly record struct FeatureWrite(long Id, long RowVersion, byte[] Features);

/// <summary>Records read by <see cref="MatchableLoader.AddLoad"/>, with the subject person's id of each phone and place that has one.</summary>
internal sealed record LoadedRows(List<RecordRow> Rows, Dictionary<long, long> Subjects);

/// <summary>
/// Reads records back from <c>records</c> and normalizes them through the engine: persons with the phones and places
/// of the same agency that point to them (<c>subject_ref</c>), phones and places with their subject's id.
/// Two statements per call, whatever the number of records, and the primary key is walked once. Each row's normalized fields come
/// from its precomputed features (<c>records.features</c>, <see cref="RecordFeatures"/>) when they are current, and
/// then the fields they stand in for are not even read; a row without them is read whole and normalized as before, and
/// <see cref="LoadAsync"/> writes its features back. A row whose current features do not decode is read again whole.
/// </summary>
internal sealed class MatchableLoader(MatchingEngine engine)
{
    // Whether a row's stored features are not current: missing, or written by an engine of another stamp (their first
    // four bytes, RecordFeatures). Only then are the fields they stand in for read (Raw): a candidate's row is mostly its
    // features, which is less for PostgreSQL to send (no identifiers cast to text) and for the Gateway to allocate.
    private const string Stale = "(r.features IS NULL OR substring(r.features FROM 1 FOR 4) <> @stamp)";

    private static string Raw(string column) => $"CASE WHEN {Stale} THEN {column} END";

    /// <summary>The columns of <c>records r</c> that matching reads, each with the property it fills.</summary>
    private static readonly ReadMap<RecordRow> Row = new ReadMap<RecordRow>()
        .Column<long>("r.id", (row, v) => row.Id = v)
        .Column<string>("r.agency_code", (row, v) => row.Agency = v!)
        .Column<string>("r.kind", (row, v) => row.Kind = Enum.Parse<RecordKind>(v!))
        .Column<string>("r.local_id", (row, v) => row.LocalId = v!)
        .Column<bool>("r.withdrawn_at IS NOT NULL", (row, v) => row.Withdrawn = v)
        .Column<string>("r.subject_ref", (row, v) => row.SubjectRef = v)
        .Column<string>(Raw("r.given_name"), (row, v) => row.GivenName = v)
        .Column<string>(Raw("r.surname"), (row, v) => row.Surname = v)
        .Column<string[]>(Raw("r.aliases"), (row, v) => row.Aliases = v)
        .Column<short?>(Raw("r.birth_year"), (row, v) => row.BirthYear = v)
        .Column<short?>(Raw("r.birth_month"), (row, v) => row.BirthMonth = v)
        .Column<short?>(Raw("r.birth_day"), (row, v) => row.BirthDay = v)
        .Column<string>(Raw("r.sex"), (row, v) => row.Sex = v)
        .Column<string>(Raw("r.identifiers::text"), (row, v) => row.Identifiers = v)
        .Column<string>("r.phone_e164", (row, v) => row.PhoneE164 = v)
        .Column<DateOnly?>("lower(r.phone_validity)", (row, v) => row.ValidFrom = v)
        .Column<DateOnly?>("CASE WHEN upper_inf(r.phone_validity) THEN NULL ELSE upper(r.phone_validity) - 1 END", (row, v) => row.ValidTo = v)
        .Column<string>(Raw("r.address"), (row, v) => row.Address = v)
        .Column<double?>("r.latitude", (row, v) => row.Latitude = v)
        .Column<double?>("r.longitude", (row, v) => row.Longitude = v)
        .Column<double?>("r.radius_meters", (row, v) => row.RadiusMeters = v)
        .Column<DateTime?>("lower(r.operation_window)", (row, v) => row.StartsAt = v)
        .Column<DateTime?>("upper(r.operation_window)", (row, v) => row.EndsAt = v)
        .Column<byte[]>("r.features", (row, v) => row.Features = v)
        .Column<long>("r.xmin::text::bigint", (row, v) => row.RowVersion = v)
        .Column<bool>(Stale, (row, v) => row.RawRead = v);

    private static readonly string Columns = Row.SelectList;

    // A person's own evidence decoded from its features, kept by the features' bytes: a candidate that later runs meet
    // again (a common name is a candidate of many records) is not decoded again. Equal bytes decode to equal evidence
    // (the engine's stamp is in them, and evidence is immutable), so a changed record, whose bytes differ, is never
    // read from an older entry. About 2.6 KB an entry.
    private readonly DecodedFeatures<PersonEvidence> _decoded = new(capacity: 20_000);

    // The decoder, made once (a method group passed as a delegate is a new delegate at every call).
    private readonly DecodeFeatures<PersonEvidence> _readPerson = engine.ReadPersonFeatures;

    // The engine's feature stamp as stored (RecordFeatures): rows whose features start otherwise are read whole.
    private readonly byte[] _stamp = RecordFeatures.StampPrefix(engine.FeatureStamp);

    // Reads every row whole (no stored features start with no bytes): for rows whose current features did not decode.
    private static readonly byte[] NoStamp = [];

    private static readonly JsonSerializerOptions IdentifierJson = new(JsonSerializerDefaults.Web);

    public MatchingEngine Engine => engine;

    /// <summary>
    /// Loads and normalizes <paramref name="ids"/>; unknown ids are left out. Two round trips whatever the number of
    /// records: the records themselves (<see cref="AddLoad"/>), then the phones and places that point to the persons
    /// among them (<see cref="CompleteAsync"/>). The records (and the phones and places of the persons among them)
    /// whose precomputed features were missing or stale are normalized as before, and their features written back in a
    /// third statement (<see cref="WriteFeaturesAsync"/>). With <paramref name="fresh"/>, every person's evidence is put
    /// together again from what points to it now, and written back where it changed: the key writer's load, whose
    /// transaction changed what points to them; it first locks each record's subject (<see cref="SubjectLocks"/>).
    /// </summary>
    public async Task<Dictionary<long, Matchable>> LoadAsync(NpgsqlConnection connection, IReadOnlyCollection<long> ids, CancellationToken cancellationToken,
        bool fresh = false)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        LoadedRows rows;
        await using (var batch = new NpgsqlBatch(connection))
        {
            if (fresh)
            {
                batch.BatchCommands.Add(SubjectLocks([.. ids]));
            }
            AddLoad(batch, [.. ids]);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (fresh)
            {
                await reader.NextResultAsync(cancellationToken);
            }
            rows = await ReadLoadAsync(reader, cancellationToken);
        }
        var backfill = new List<FeatureWrite>();
        var records = await CompleteAsync(connection, rows, backfill, cancellationToken, fresh);
        await WriteFeaturesAsync(connection, backfill, cancellationToken);
        return records;
    }

    /// <summary>
    /// The precomputed features of <paramref name="row"/> as it is stored (null for an operation or a withdrawal, which
    /// have none): the store writes them with the row, and a load of a row without current ones computes the same. A
    /// person's are its whole evidence, which includes what points to it: the store writes its own fields alone, which
    /// is its evidence as long as nothing points to it, and the key writer, in the same transaction, writes them again
    /// only when phones or places do (<see cref="BlockingKeyWriter"/>).
    /// </summary>
    public byte[]? FeaturesOf(RecordRow row) => row.Withdrawn ? null : row.Keyed switch
    {
        KeyedKind.Person => engine.PersonFeatures(OwnEvidence(row)),
        KeyedKind.Phone => engine.PhoneFeatures(row.PhoneE164),
        KeyedKind.Place => engine.AddressFeatures(row.Address),
        _ => null,
    };

    private PersonEvidence OwnEvidence(RecordRow row) =>
        engine.BuildPersonEvidence(new PersonInput(row.GivenName, row.Surname, row.Aliases, row.BirthDate, row.Sex, ParseIdentifiers(row.Identifiers)));

    /// <summary>
    /// Writes features computed by a load onto the rows they were computed from, set-based. A row changed since it was
    /// read (its <c>xmin</c> moved) keeps what its writer gave it; a row another transaction holds is skipped, not
    /// waited for (its writer clears and rewrites the features itself, or a later load fills them). In the writer's own
    /// transaction (<see cref="BlockingKeyWriter"/>), the rows are its own and always written.
    /// </summary>
    public static async Task WriteFeaturesAsync(NpgsqlConnection connection, List<FeatureWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }
        var ordered = writes.DistinctBy(w => w.Id).OrderBy(w => w.Id).ToList();
        await using var command = new NpgsqlCommand("""
            UPDATE records r SET features = u.features
            FROM unnest(@ids, @versions, @features) AS u(id, version, features)
            WHERE r.id = u.id AND r.xmin::text::bigint = u.version
              AND r.id IN (SELECT l.id FROM records l WHERE l.id = ANY(@ids) ORDER BY l.id FOR UPDATE SKIP LOCKED)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ordered.Select(w => w.Id)] });
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ordered.Select(w => w.RowVersion)] });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("features", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = [.. ordered.Select(w => w.Features)] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Appends the statement that reads <paramref name="ids"/> to <paramref name="batch"/>: each record, and for a phone
    /// or a place the id of its subject person (same agency, <c>subject_ref</c>), in one walk of the primary key.
    /// <see cref="ReadLoadAsync"/> reads its result, and <see cref="CompleteAsync"/> adds what points to the persons.
    /// </summary>
    public void AddLoad(NpgsqlBatch batch, long[] ids) => batch.BatchCommands.Add(LoadCommand(ids, _stamp));

    private static NpgsqlBatchCommand LoadCommand(long[] ids, byte[] stamp)
    {
        var command = new NpgsqlBatchCommand($"""
            SELECT {Columns},
                CASE WHEN r.subject_ref IS NOT NULL AND r.kind <> 'Person' THEN
                    (SELECT s.id FROM records s WHERE s.agency_code = r.agency_code AND s.kind = 'Person' AND s.local_id = r.subject_ref) END
            FROM records r WHERE r.id = ANY(@ids)
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
        command.Parameters.Add(Stamp(stamp));
        return command;
    }

    /// <summary>
    /// Locks, until the transaction ends, the subject of each of <paramref name="ids"/>, by agency and local id: a
    /// person's own, a phone's or place's <c>subject_ref</c>. A person and a phone that points to it, stored at once by
    /// two batches, would otherwise not see each other: the phone's batch finds no subject yet, and the person's reads
    /// no phone yet, so neither puts the phone into the person's keys and evidence. With the lock the second batch
    /// waits, and its next statement sees what the first committed. Taken in one order, so two batches cannot deadlock
    /// on these locks alone.
    /// </summary>
    private static NpgsqlBatchCommand SubjectLocks(long[] ids)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT pg_advisory_xact_lock(s.lock) FROM (
                SELECT DISTINCT hashtextextended(r.agency_code || '/' || CASE WHEN r.kind = 'Person' THEN r.local_id ELSE r.subject_ref END, 7) AS lock
                FROM records r WHERE r.id = ANY(@ids) AND (r.kind = 'Person' OR r.subject_ref IS NOT NULL)
                ORDER BY 1 OFFSET 0) s
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
        return command;
    }

    private static NpgsqlParameter<byte[]> Stamp(byte[] stamp) => new("stamp", NpgsqlDbType.Bytea) { TypedValue = stamp };

    /// <summary>The result of <see cref="AddLoad"/>'s statement, at the reader's current result.</summary>
    public static async Task<LoadedRows> ReadLoadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<RecordRow>();
        var subjects = new Dictionary<long, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = Row.Read(reader);
            rows.Add(row);
            if (!reader.IsDBNull(Row.Count))
            {
                subjects[row.Id] = reader.GetInt64(Row.Count);
            }
        }
        return new LoadedRows(rows, subjects);
    }

    /// <summary>
    /// Normalizes <paramref name="loaded"/>: each row from its current features, and a person whose stored evidence is
    /// not current (or every person, when <paramref name="fresh"/>) from its own fields and the phones and places of
    /// the same agency that point to it, read in one statement through the <c>(agency_code, subject_ref)</c> index,
    /// without reading the persons again. Features computed for rows that had none, and a person's evidence when it
    /// differs from what is stored, are added to <paramref name="backfill"/> when one is given (<see cref="LoadAsync"/>
    /// writes them back), and otherwise left to the next load that has one.
    /// </summary>
    public async Task<Dictionary<long, Matchable>> CompleteAsync(NpgsqlConnection connection, LoadedRows loaded, List<FeatureWrite>? backfill,
        CancellationToken cancellationToken, bool fresh = false)
    {
        var rows = await DecodedAsync(connection, loaded.Rows, cancellationToken);
        bool Composed(RecordRow row) => row.Kind == RecordKind.Person && !row.Withdrawn && (fresh || row.Evidence is null);
        var composed = rows.Where(Composed).ToList();
        var linked = new List<(long Owner, RecordRow Row)>();
        if (composed.Count > 0)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT {Columns}, u.owner
                FROM unnest(@owners, @agencies, @local_ids) AS u(owner, agency_code, local_id)
                JOIN records r ON r.agency_code = u.agency_code AND r.subject_ref = u.local_id
                WHERE r.withdrawn_at IS NULL AND r.kind IN ('Phone', 'Location') AND r.operation_window IS NULL
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<long[]>("owners", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. composed.Select(p => p.Id)] });
            command.Parameters.Add(new NpgsqlParameter<string[]>("agencies", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. composed.Select(p => p.Agency)] });
            command.Parameters.Add(new NpgsqlParameter<string[]>("local_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. composed.Select(p => p.LocalId)] });
            command.Parameters.Add(Stamp(_stamp));
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    linked.Add((reader.GetInt64(Row.Count), Row.Read(reader)));
                }
            }
            var linkedRows = (await DecodedAsync(connection, [.. linked.Select(l => l.Row)], cancellationToken)).ToDictionary(row => row.Id);
            linked = [.. linked.Select(l => (l.Owner, linkedRows[l.Row.Id]))];
        }

        var linkedByOwner = linked.ToLookup(l => l.Owner, l => l.Row);
        var result = new Dictionary<long, Matchable>(rows.Count);
        foreach (var row in rows)
        {
            long? subject = row.BelongsToSubject && loaded.Subjects.TryGetValue(row.Id, out var id) ? id : null;
            result[row.Id] = row.Keyed switch
            {
                KeyedKind.Person => Composed(row) ? Person(row, [.. linkedByOwner[row.Id].OrderBy(l => l.Id)], backfill) : StoredPerson(row),
                KeyedKind.Phone => Phone(row, subject, backfill),
                KeyedKind.Place => Place(row, subject, backfill),
                KeyedKind.Operation => Operation(row),
                _ => throw new InvalidOperationException($"Unknown keyed kind {row.Keyed}."),
            };
        }
        return result;
    }

    /// <summary>
    /// <paramref name="rows"/> with their current features decoded; a row whose features were current by their stamp
    /// (so its other fields were not read) and yet do not decode (damaged) is read again whole, and is then normalized
    /// from its fields as if it had no features.
    /// </summary>
    private async Task<List<RecordRow>> DecodedAsync(NpgsqlConnection connection, List<RecordRow> rows, CancellationToken cancellationToken)
    {
        var undecoded = rows.Where(row => !Decode(row)).Select(row => row.Id).ToHashSet();
        if (undecoded.Count == 0)
        {
            return rows;
        }
        var whole = await ReadWholeAsync(connection, [.. undecoded.Order()], cancellationToken);
        return [.. rows.Select(row => whole.GetValueOrDefault(row.Id, row))];
    }

    /// <summary>
    /// Decodes a person's or a place's current features onto <paramref name="row"/>; false when they were current by
    /// their stamp (so its other fields were not read) and yet do not decode.
    /// </summary>
    private bool Decode(RecordRow row)
    {
        if (row.RawRead || row.Features is not { } stored || row.Withdrawn)
        {
            return true;
        }
        switch (row.Keyed)
        {
            case KeyedKind.Person:
                row.Evidence = _decoded.GetOrRead(stored, _readPerson);
                return row.Evidence is not null;
            case KeyedKind.Place:
                row.DecodedAddress = engine.ReadAddressFeatures(stored);
                return row.DecodedAddress is not null;
            default:
                return true;
        }
    }

    // The rows of ids with every field (as if none had current features), by id.
    private static async Task<Dictionary<long, RecordRow>> ReadWholeAsync(NpgsqlConnection connection, long[] ids, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(LoadCommand(ids, NoStamp));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return (await ReadLoadAsync(reader, cancellationToken)).Rows.ToDictionary(row => row.Id);
    }

    // A live person read with current stored evidence: its phones and places are in it, and were not read.
    private Matchable StoredPerson(RecordRow row)
    {
        if (row.Withdrawn)
        {
            return new Matchable { Row = row };
        }
        var evidence = row.Evidence!;
        return PersonMatchable(row, evidence, []);
    }

    private Matchable PersonMatchable(RecordRow row, PersonEvidence evidence, long[] linked) => new()
    {
        Row = row,
        // Usable when it has a name, or else keys: the keys are only computed when needed.
        Usable = evidence.Names.Count > 0 || engine.PersonKeys(evidence).Count > 0,
        Person = evidence,
        Linked = linked,
        ComputeKeys = () => engine.PersonKeys(evidence),
        ComputeFingerprint = () => MatchFingerprint.Of(evidence),
    };

    // A person composed from its own fields (its stored evidence's, or normalized from the row) and what points to it, in
    // id order (so the same rows give the same bytes); its evidence is written back when it differs from what is stored.
    private Matchable Person(RecordRow row, RecordRow[] linked, List<FeatureWrite>? backfill)
    {
        var own = row.Evidence ?? OwnEvidence(row);
        var phones = linked.Where(l => l.Kind == RecordKind.Phone && l.PhoneE164 is not null)
            .Select(l => (new PhoneInput(l.PhoneE164!, l.ValidFrom, l.ValidTo, row.LocalId), LinkedPhone(l, backfill)));
        var places = linked.Where(l => l.Kind == RecordKind.Location).Select(l => Address(l, backfill));
        var evidence = engine.ComposePersonEvidence(own, phones, places);
        if (backfill is not null && engine.PersonFeatures(evidence) is var features && !features.AsSpan().SequenceEqual(row.Features))
        {
            backfill.Add(new FeatureWrite(row.Id, row.RowVersion, features));
        }
        return PersonMatchable(row, evidence, [.. linked.Select(l => l.Id)]);
    }

    // A phone's precomputed number (null: normalize it, and write its features when they were missing or stale).
    private PhoneFeatures? LinkedPhone(RecordRow row, List<FeatureWrite>? backfill)
    {
        if (row.Features is { } stored && engine.TryReadPhoneFeatures(stored, out var phone))
        {
            return phone;
        }
        backfill?.Add(new FeatureWrite(row.Id, row.RowVersion, engine.PhoneFeatures(row.PhoneE164)));
        return null;
    }

    private NormalizedAddress Address(RecordRow row, List<FeatureWrite>? backfill)
    {
        if (row.DecodedAddress is { } address)
        {
            return address;
        }
        address = AddressNormalizer.Normalize(row.Address);
        backfill?.Add(new FeatureWrite(row.Id, row.RowVersion, RecordFeatures.Encode(engine.FeatureStamp, address)));
        return address;
    }

    private Matchable Phone(RecordRow row, long? subjectId, List<FeatureWrite>? backfill)
    {
        if (row.Withdrawn || row.PhoneE164 is null)
        {
            return new Matchable { Row = row, SubjectId = subjectId };
        }
        try
        {
            var phone = engine.NormalizePhone(new PhoneInput(row.PhoneE164, row.ValidFrom, row.ValidTo, row.SubjectRef), LinkedPhone(row, backfill));
            return new Matchable
            {
                Row = row,
                Usable = true,
                Phone = phone,
                SubjectId = subjectId,
                ComputeKeys = () => engine.PhoneKeys(phone),
                ComputeFingerprint = () => MatchFingerprint.Of(phone),
            };
        }
        catch (InvalidMatchingInputException)
        {
            // Stored but not matchable on its number: it takes part in nothing (the ingest validator let it through).
            return new Matchable { Row = row, SubjectId = subjectId };
        }
    }

    private Matchable Place(RecordRow row, long? subjectId, List<FeatureWrite>? backfill)
    {
        if (row.Withdrawn)
        {
            return new Matchable { Row = row, SubjectId = subjectId };
        }
        try
        {
            var place = engine.NormalizePlace(new PlaceInput(row.Address, row.Latitude, row.Longitude, SubjectRef: row.SubjectRef), Address(row, backfill));
            return new Matchable
            {
                Row = row,
                Usable = true,
                Place = place,
                SubjectId = subjectId,
                ComputeKeys = () => engine.PlaceKeys(place),
                ComputeFingerprint = () => MatchFingerprint.Of(place),
            };
        }
        catch (InvalidMatchingInputException)
        {
            return new Matchable { Row = row, SubjectId = subjectId };
        }
    }

    private Matchable Operation(RecordRow row)
    {
        if (row.Withdrawn)
        {
            return new Matchable { Row = row };
        }
        try
        {
            var operation = engine.NormalizeOperation(new OperationInput(row.Latitude ?? double.NaN, row.Longitude ?? double.NaN, row.RadiusMeters!.Value,
                new DateTimeOffset(DateTime.SpecifyKind(row.StartsAt!.Value, DateTimeKind.Utc)),
                new DateTimeOffset(DateTime.SpecifyKind(row.EndsAt!.Value, DateTimeKind.Utc))));
            return new Matchable
            {
                Row = row,
                Usable = true,
                Operation = operation,
                ComputeKeys = () => OwnLevelAreaCells(engine.OperationKeys(operation)),
                ComputeFingerprint = () => MatchFingerprint.Of(operation),
            };
        }
        catch (InvalidMatchingInputException)
        {
            return new Matchable { Row = row };
        }
    }

    /// <summary>
    /// An operation's area cells (<c>q</c>) are kept at its own (finest) level only: a place keys its point's cell at
    /// every level, so it still meets the operation at the operation's level, and the coarse cells, which every place
    /// of a region shares, never become candidates. The <c>o</c> keys (operation against operation) stay as they are.
    /// </summary>
    private static string[] OwnLevelAreaCells(IReadOnlyList<string> keys)
    {
        var finest = keys.Where(k => k[0] == 'q').Select(k => k.Length).DefaultIfEmpty(0).Max();
        return [.. keys.Where(k => k[0] != 'q' || k.Length == finest)];
    }

    private static IdentifierInput[]? ParseIdentifiers(string? json)
    {
        if (json is null)
        {
            return null;
        }
        var items = JsonSerializer.Deserialize<StoredIdentifier[]>(json, IdentifierJson) ?? [];
        return [.. items.Where(i => !string.IsNullOrWhiteSpace(i.Category) && !string.IsNullOrWhiteSpace(i.Id))
            .Select(i => new IdentifierInput(string.IsNullOrWhiteSpace(i.Jurisdiction) ? i.Category! : $"{i.Category}:{i.Jurisdiction}", i.Id!))];
    }

    private sealed record StoredIdentifier(string? Category, string? Id, string? Jurisdiction);
}

/// <summary>
/// Values decoded from stored features, by the features' bytes, for any number of threads; bounded as a
/// <see cref="BoundedCache{TKey,TValue}"/> of <c>capacity</c>. A decoder's null (features of another engine version)
/// is not kept.
/// </summary>
internal sealed class DecodedFeatures<T>(int capacity) where T : class
{
    private readonly BoundedCache<byte[], T> _entries = new(capacity, ByteContent.Instance);

    /// <summary>The entries held (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    public T? GetOrRead(byte[] features, DecodeFeatures<T> decode)
    {
        if (_entries.TryGet(features, out var value))
        {
            return value;
        }
        value = decode(features);
        if (value is not null)
        {
            _entries.Add(features, value);
        }
        return value;
    }
}

/// <summary>Decodes stored features (see <see cref="DecodedFeatures{T}"/>).</summary>
internal delegate T? DecodeFeatures<T>(ReadOnlySpan<byte> features) where T : class;

/// <summary>
/// Fingerprints of the normalized matching fields. A NotSame adjudication stores the pair's fingerprint; a later
/// re-score lifts it only when a fingerprint changed, i.e. when a record changed in a field that matching reads
/// (labels, case references and versions alone do not).
/// </summary>
internal static class MatchFingerprint
{
    public static string Of(PersonEvidence evidence)
    {
        var text = new StringBuilder("person|");
        foreach (var name in evidence.Names)
        {
            text.Append(name.Given.Joined).Append('/').Append(name.Surname.Joined).Append(name.IsAlias ? "*" : "").Append(';');
        }
        text.Append('|').Append(evidence.BirthDate?.ToCompactString()).Append('|').Append(evidence.Sex).Append('|');
        text.AppendJoin(';', evidence.Identifiers.Select(i => i.ToString()).Order(StringComparer.Ordinal)).Append('|');
        text.AppendJoin(';', evidence.Phones.Select(p => $"{p.E164}@{p.Validity}").Order(StringComparer.Ordinal)).Append('|');
        text.AppendJoin(';', evidence.Addresses.Select(a => a.Key).Order(StringComparer.Ordinal));
        return Hash(text.ToString());
    }

    public static string Of(NormalizedPhone phone) => Hash($"phone|{phone.E164}|{phone.Validity}");

    public static string Of(NormalizedPlace place) => Hash(string.Create(CultureInfo.InvariantCulture, $"place|{place.Address?.Key}|{place.Point}|{place.Validity.From:O}|{place.Validity.To:O}"));

    public static string Of(PlannedOperation operation) =>
        Hash(string.Create(CultureInfo.InvariantCulture, $"operation|{operation.Center}|{operation.RadiusMeters:R}|{operation.Window.From:O}|{operation.Window.To:O}"));

    /// <summary>The pair's fingerprint: record A's then record B's.</summary>
    public static string Pair(string a, string b) => a + b;

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
