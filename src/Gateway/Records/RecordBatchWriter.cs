using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;

namespace SharingHub.Gateway.Records;

/// <summary>The valid records of one message, ready to store.</summary>
internal sealed record ValidRecords(
    IReadOnlyList<PersonRecordPublished> Persons,
    IReadOnlyList<PhoneRecordPublished> Phones,
    IReadOnlyList<LocationRecordPublished> Locations,
    IReadOnlyList<RecordWithdrawn> Withdrawals)
{
    public int Count => Persons.Count + Phones.Count + Locations.Count + Withdrawals.Count;
}

/// <summary>
/// Stores a batch set-based, in one prepared statement: the rows travel as one array per column (<see cref="UnnestMap{TRow}"/>)
/// into one <c>INSERT … ON CONFLICT … DO UPDATE … WHERE excluded.version &gt; records.version</c>. A version lower than or
/// equal to the stored one changes nothing, so redelivery and reordering are safe; a withdrawal keeps the key and
/// version and erases the content. Rows are written in key order, so concurrent batches cannot deadlock. A changed
/// record's precomputed matching features are computed before the upsert (by the caller's feature function,
/// from exactly the values stored) and written with it. For a person these are its own fields, which are its whole
/// evidence until phones or places point to it; then the key writer writes them again, in the same transaction
/// (<c>BlockingKeyWriter</c>). Until 2026-12-07 the rows
/// went through a binary COPY into a temporary staging table created for each batch: for the one-record messages of a
/// live connector, creating and dropping that table (catalog rows every backend must then invalidate), planning the
/// upsert anew (its table was new each time) and the COPY's round trips cost more than the row itself.
/// </summary>
internal static class RecordBatchWriter
{
    // The rows' columns and every row's values: one list, by name (see StagingRow).
    private static readonly UnnestMap<StagingRow> Staging = new UnnestMap<StagingRow>()
        .Column("kind", NpgsqlDbType.Text, r => r.Kind.ToString())
        .Column("local_id", NpgsqlDbType.Text, r => r.LocalId)
        .Value("version", NpgsqlDbType.Bigint, r => (long?)r.Version)
        .Value("withdrawn", NpgsqlDbType.Boolean, r => (bool?)r.Withdrawn)
        .Column("subject_ref", NpgsqlDbType.Text, r => r.SubjectRef)
        .Column("sensitivity", NpgsqlDbType.Text, r => r.Labels?.Sensitivity.ToString())
        .Column("confidence", NpgsqlDbType.Text, r => r.Labels?.Confidence?.ToString())
        .Column("control_official_name", NpgsqlDbType.Text, r => r.Labels?.ControlOfficial.PersonFullName)
        .Column("control_official_channel", NpgsqlDbType.Text, r => r.Labels?.ControlOfficial.ContactChannel)
        .Column("case_tracking_id", NpgsqlDbType.Text, r => r.Labels?.CaseTrackingID)
        .Column("justification", NpgsqlDbType.Text, r => r.Labels?.Justification)
        .Value("review_date", NpgsqlDbType.Date, r => r.Labels?.ReviewDate)
        .Column("role", NpgsqlDbType.Text, r => r.Person?.PersonRole.ToString())
        // The columns matching reads come from the row as it will be stored (StagingRow.Stored), the same values its
        // precomputed features are made of.
        .Column("given_name", NpgsqlDbType.Text, r => r.Stored.GivenName)
        .Column("surname", NpgsqlDbType.Text, r => r.Stored.Surname)
        .TextArray("aliases", r => r.Stored.Aliases)
        .Value("birth_year", NpgsqlDbType.Smallint, r => r.Stored.BirthYear)
        .Value("birth_month", NpgsqlDbType.Smallint, r => r.Stored.BirthMonth)
        .Value("birth_day", NpgsqlDbType.Smallint, r => r.Stored.BirthDay)
        .Column("sex", NpgsqlDbType.Text, r => r.Stored.Sex)
        .Column("identifiers", NpgsqlDbType.Jsonb, r => r.Stored.Identifiers)
        .Column("phone_raw", NpgsqlDbType.Text, r => r.Phone?.TelephoneNumberFullID)
        .Column("phone_e164", NpgsqlDbType.Text, r => r.Stored.PhoneE164)
        .Value("valid_from", NpgsqlDbType.Date, r => r.Stored.ValidFrom)
        .Value("valid_to", NpgsqlDbType.Date, r => r.Stored.ValidTo)
        .Column("address", NpgsqlDbType.Text, r => r.Stored.Address)
        .Value("latitude", NpgsqlDbType.Double, r => r.Stored.Latitude)
        .Value("longitude", NpgsqlDbType.Double, r => r.Stored.Longitude)
        .Value("radius_meters", NpgsqlDbType.Double, r => r.Stored.RadiusMeters)
        .Value("starts_at", NpgsqlDbType.TimestampTz, r => r.Stored.StartsAt)
        .Value("ends_at", NpgsqlDbType.TimestampTz, r => r.Stored.EndsAt)
        .Column("features", NpgsqlDbType.Bytea, r => r.Features);

    // What the upsert returns for each record it changed.
    private static readonly ReadMap<ChangedRow> Changed = new ReadMap<ChangedRow>()
        .Column<long>("t.id", (r, v) => r.Id = v)
        .Column<string>("t.kind", (r, v) => r.Kind = v!)
        .Column<string>("t.local_id", (r, v) => r.LocalId = v!)
        .Column<long>("t.version", (r, v) => r.Version = v)
        .Column<bool>("t.withdrawn_at IS NOT NULL", (r, v) => r.Withdrawn = v)
        .Column<bool>("t.xmax = '0'::xid", (r, v) => r.Inserted = v);

    // A withdrawal of a key the agency never stored writes nothing (no tombstone): an agency sending random ids cannot
    // grow the table.
    private const string Unknown = """
        s.withdrawn AND NOT EXISTS (SELECT 1 FROM records r WHERE r.agency_code = @agency AND r.kind = s.kind AND r.local_id = s.local_id)
        """;

    private static readonly string CountUnknownWithdrawals = $"SELECT count(*) FROM {Staging.From("s")} WHERE {Unknown}";

    private static readonly string Upsert = $$"""
        INSERT INTO records AS t (agency_code, kind, local_id, version, withdrawn_at, first_seen_at, updated_at, last_message_id,
            subject_ref, sensitivity, confidence, control_official_name, control_official_channel, case_tracking_id, justification, review_date,
            role, given_name, surname, aliases, birth_year, birth_month, birth_day, sex, identifiers,
            phone_raw, phone_e164, phone_validity, address, latitude, longitude, radius_meters, operation_window, features)
        SELECT
            @agency, s.kind, s.local_id, s.version, CASE WHEN s.withdrawn THEN now() END, now(), now(), @message_id,
            s.subject_ref, s.sensitivity, s.confidence, s.control_official_name, s.control_official_channel, s.case_tracking_id,
            s.justification, s.review_date,
            s.role, s.given_name, s.surname, s.aliases, s.birth_year, s.birth_month, s.birth_day, s.sex, s.identifiers,
            s.phone_raw, s.phone_e164,
            CASE WHEN s.kind = 'Phone' AND NOT s.withdrawn THEN daterange(s.valid_from, s.valid_to, '[]') END,
            s.address, s.latitude, s.longitude, s.radius_meters,
            CASE WHEN s.starts_at IS NOT NULL THEN tstzrange(s.starts_at, s.ends_at, '[)') END, s.features
        FROM {{Staging.From("s")}}
        WHERE NOT ({{Unknown}})
        ORDER BY s.kind, s.local_id
        ON CONFLICT (agency_code, kind, local_id) DO UPDATE SET
            version = excluded.version, withdrawn_at = excluded.withdrawn_at, updated_at = excluded.updated_at,
            last_message_id = excluded.last_message_id, subject_ref = excluded.subject_ref,
            sensitivity = excluded.sensitivity, confidence = excluded.confidence,
            control_official_name = excluded.control_official_name, control_official_channel = excluded.control_official_channel,
            case_tracking_id = excluded.case_tracking_id, justification = excluded.justification, review_date = excluded.review_date,
            role = excluded.role, given_name = excluded.given_name, surname = excluded.surname, aliases = excluded.aliases,
            birth_year = excluded.birth_year, birth_month = excluded.birth_month, birth_day = excluded.birth_day,
            sex = excluded.sex, identifiers = excluded.identifiers,
            phone_raw = excluded.phone_raw, phone_e164 = excluded.phone_e164, phone_validity = excluded.phone_validity,
            address = excluded.address, latitude = excluded.latitude, longitude = excluded.longitude,
            radius_meters = excluded.radius_meters, operation_window = excluded.operation_window,
            features = excluded.features
        WHERE excluded.version > t.version
        RETURNING {{Changed.SelectList}}
        """;

    private static readonly JsonSerializerOptions IdentifierJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores <paramref name="records"/> for <paramref name="agency"/> in the caller's transaction; returns what changed
    /// and how many withdrawals named a key the agency never stored (ignored). <paramref name="features"/> makes each
    /// record's precomputed matching features from the row as it will be stored (null: none).
    /// </summary>
    public static async Task<(IReadOnlyList<StoredRecordChange> Changes, int UnknownWithdrawals)> WriteAsync(NpgsqlConnection connection, string agency, Guid? messageId,
        ValidRecords records, Func<RecordRow, byte[]?> features, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return ([], 0);
        }
        // The highest version of each key in the batch (a withdrawal wins a tie); the upsert writes them in key order, so
        // that concurrent batches lock their rows in the same order and cannot deadlock.
        var rows = Rows(records, features)
            .GroupBy(r => (r.Kind, r.LocalId))
            .Select(g => g.OrderByDescending(r => r.Version).ThenByDescending(r => r.Withdrawn).First())
            .ToList();

        await using var batch = new NpgsqlBatch(connection);
        var withdrawals = rows.Where(r => r.Withdrawn).ToList();
        if (withdrawals.Count > 0)
        {
            var count = new NpgsqlBatchCommand(CountUnknownWithdrawals);
            count.Parameters.Add(new NpgsqlParameter<string>("agency", NpgsqlDbType.Text) { TypedValue = agency });
            count.Parameters.AddRange(Staging.Parameters(withdrawals).ToArray());
            batch.BatchCommands.Add(count);
        }
        var upsert = new NpgsqlBatchCommand(Upsert);
        upsert.Parameters.Add(new NpgsqlParameter<string>("agency", NpgsqlDbType.Text) { TypedValue = agency });
        upsert.Parameters.Add(new NpgsqlParameter("message_id", NpgsqlDbType.Uuid) { Value = messageId.HasValue ? messageId.Value : DBNull.Value });
        upsert.Parameters.AddRange(Staging.Parameters(rows).ToArray());
        batch.BatchCommands.Add(upsert);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var unknownWithdrawals = 0;
        if (withdrawals.Count > 0)
        {
            await reader.ReadAsync(cancellationToken);
            unknownWithdrawals = (int)reader.GetInt64(0);
            await reader.NextResultAsync(cancellationToken);
        }
        var changes = new List<StoredRecordChange>(records.Count);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = Changed.Read(reader);
            changes.Add(new StoredRecordChange(row.Id, Enum.Parse<RecordKind>(row.Kind), row.LocalId, row.Version, row.Withdrawn, row.Inserted));
        }
        return (changes, unknownWithdrawals);
    }

    private static IEnumerable<StagingRow> Rows(ValidRecords records, Func<RecordRow, byte[]?> features)
    {
        foreach (var person in records.Persons)
        {
            yield return WithFeatures(new StagingRow(RecordKind.Person, person.LocalId, person.Version, person.Labels) { Person = person }, features);
        }
        foreach (var phone in records.Phones)
        {
            yield return WithFeatures(new StagingRow(RecordKind.Phone, phone.LocalId, phone.Version, phone.Labels)
            {
                SubjectRef = phone.SubjectRef,
                Phone = phone,
            }, features);
        }
        foreach (var location in records.Locations)
        {
            yield return WithFeatures(new StagingRow(RecordKind.Location, location.LocalId, location.Version, location.Labels)
            {
                SubjectRef = location.SubjectRef,
                Location = location,
            }, features);
        }
        foreach (var withdrawal in records.Withdrawals)
        {
            yield return new StagingRow(withdrawal.RecordKind, withdrawal.LocalId, withdrawal.Version, null) { Withdrawn = true };
        }
    }

    private static StagingRow WithFeatures(StagingRow row, Func<RecordRow, byte[]?> features)
    {
        row.Features = features(row.Stored);
        return row;
    }

    private static string? Identifiers(PersonRecordPublished? person) => person?.PersonOtherIdentifications is { Count: > 0 } ids
        ? JsonSerializer.Serialize(ids.Select(i => new { category = i.IdentificationCategoryText, id = i.IdentificationID, jurisdiction = i.IdentificationJurisdictionText }), IdentifierJson)
        : null;

    /// <summary>One staging row: the key, the labels, and the one published record it carries (none for a withdrawal).</summary>
    private sealed record StagingRow(RecordKind Kind, string LocalId, long Version, RecordLabels? Labels)
    {
        public bool Withdrawn { get; init; }

        public string? SubjectRef { get; init; }

        public PersonRecordPublished? Person { get; init; }

        public PhoneRecordPublished? Phone { get; init; }

        public LocationRecordPublished? Location { get; init; }

        /// <summary>The record's precomputed matching features, made from <see cref="Stored"/>.</summary>
        public byte[]? Features { get; set; }

        /// <summary>The columns matching reads, as they will be stored (and as <c>MatchableLoader</c> reads them back).</summary>
        public RecordRow Stored => field ??= new RecordRow
        {
            Kind = Kind,
            LocalId = LocalId,
            Withdrawn = Withdrawn,
            SubjectRef = SubjectRef,
            GivenName = Person?.PersonGivenName,
            Surname = Person?.PersonSurName,
            Aliases = Person is { } p ? p.PersonAlternateNames?.ToArray() ?? [] : null,
            BirthYear = (short?)Person?.PersonBirthDate?.Year,
            BirthMonth = (short?)Person?.PersonBirthDate?.Month,
            BirthDay = (short?)Person?.PersonBirthDate?.Day,
            Sex = Person?.PersonSex.ToString(),
            Identifiers = Identifiers(Person),
            PhoneE164 = Phone?.TelephoneNumberE164,
            ValidFrom = Phone?.ValidFromDate,
            ValidTo = Phone?.ValidToDate,
            Address = Location?.LocationAddressFullText,
            Latitude = Location?.LatitudeDegreeValue,
            Longitude = Location?.LongitudeDegreeValue,
            RadiusMeters = Location?.PlannedOperation?.RadiusMeters,
            StartsAt = Location?.PlannedOperation?.StartDateTime.UtcDateTime,
            EndsAt = Location?.PlannedOperation?.EndDateTime.UtcDateTime,
        };
    }

    private sealed class ChangedRow
    {
        public long Id { get; set; }

        public string Kind { get; set; } = "";

        public string LocalId { get; set; } = "";

        public long Version { get; set; }

        public bool Withdrawn { get; set; }

        public bool Inserted { get; set; }
    }
}
