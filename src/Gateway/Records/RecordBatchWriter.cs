using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Contracts.V1;

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
/// Stores a batch set-based: binary COPY into a transaction-scoped staging table, then one
/// <c>INSERT … ON CONFLICT … DO UPDATE … WHERE excluded.version &gt; records.version</c>. A version lower than or
/// equal to the stored one changes nothing, so redelivery and reordering are safe; a withdrawal keeps the key and
/// version and erases the content. Rows are written in key order, so concurrent batches cannot deadlock.
/// </summary>
internal static class RecordBatchWriter
{
    private const string CreateStaging = """
        CREATE TEMP TABLE record_staging (
            kind text NOT NULL, local_id text NOT NULL, version bigint NOT NULL, withdrawn boolean NOT NULL,
            subject_ref text,
            sensitivity text, confidence text, control_official_name text, control_official_channel text,
            case_tracking_id text, justification text, review_date date,
            role text, given_name text, surname text, aliases text[],
            birth_year smallint, birth_month smallint, birth_day smallint, sex text, identifiers jsonb,
            phone_raw text, phone_e164 text, valid_from date, valid_to date,
            address text, latitude double precision, longitude double precision, radius_meters double precision,
            starts_at timestamptz, ends_at timestamptz
        ) ON COMMIT DROP
        """;

    private const string Copy = """
        COPY record_staging (kind, local_id, version, withdrawn, subject_ref,
            sensitivity, confidence, control_official_name, control_official_channel, case_tracking_id, justification, review_date,
            role, given_name, surname, aliases, birth_year, birth_month, birth_day, sex, identifiers,
            phone_raw, phone_e164, valid_from, valid_to,
            address, latitude, longitude, radius_meters, starts_at, ends_at) FROM STDIN (FORMAT BINARY)
        """;

    // DISTINCT ON keeps the highest version of a key within the batch (a withdrawal wins a tie). A withdrawal of a key
    // the agency never stored writes nothing (no tombstone): an agency sending random ids cannot grow the table.
    private const string Latest = """
        (SELECT DISTINCT ON (kind, local_id) * FROM record_staging ORDER BY kind, local_id, version DESC, withdrawn DESC) s
        """;

    private const string Unknown = """
        s.withdrawn AND NOT EXISTS (SELECT 1 FROM records r WHERE r.agency_code = @agency AND r.kind = s.kind AND r.local_id = s.local_id)
        """;

    private const string CountUnknownWithdrawals = $"SELECT count(*) FROM {Latest} WHERE {Unknown}";

    private const string Upsert = $$"""
        INSERT INTO records AS t (agency_code, kind, local_id, version, withdrawn_at, first_seen_at, updated_at, last_message_id,
            subject_ref, sensitivity, confidence, control_official_name, control_official_channel, case_tracking_id, justification, review_date,
            role, given_name, surname, aliases, birth_year, birth_month, birth_day, sex, identifiers,
            phone_raw, phone_e164, phone_validity, address, latitude, longitude, radius_meters, operation_window)
        SELECT
            @agency, s.kind, s.local_id, s.version, CASE WHEN s.withdrawn THEN now() END, now(), now(), @message_id,
            s.subject_ref, s.sensitivity, s.confidence, s.control_official_name, s.control_official_channel, s.case_tracking_id,
            s.justification, s.review_date,
            s.role, s.given_name, s.surname, s.aliases, s.birth_year, s.birth_month, s.birth_day, s.sex, s.identifiers,
            s.phone_raw, s.phone_e164,
            CASE WHEN s.kind = 'Phone' AND NOT s.withdrawn THEN daterange(s.valid_from, s.valid_to, '[]') END,
            s.address, s.latitude, s.longitude, s.radius_meters,
            CASE WHEN s.starts_at IS NOT NULL THEN tstzrange(s.starts_at, s.ends_at, '[)') END
        FROM {{Latest}}
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
            radius_meters = excluded.radius_meters, operation_window = excluded.operation_window
        WHERE excluded.version > t.version
        RETURNING t.id, t.kind, t.local_id, t.version, t.withdrawn_at IS NOT NULL, t.xmax = '0'::xid
        """;

    private static readonly JsonSerializerOptions IdentifierJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores <paramref name="records"/> for <paramref name="agency"/> in the caller's transaction; returns what changed
    /// and how many withdrawals named a key the agency never stored (ignored).
    /// </summary>
    public static async Task<(IReadOnlyList<StoredRecordChange> Changes, int UnknownWithdrawals)> WriteAsync(NpgsqlConnection connection, string agency, Guid? messageId,
        ValidRecords records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return ([], 0);
        }
        await using (var create = new NpgsqlCommand(CreateStaging, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken))
        {
            foreach (var person in records.Persons)
            {
                await WritePersonAsync(importer, person, cancellationToken);
            }
            foreach (var phone in records.Phones)
            {
                await WritePhoneAsync(importer, phone, cancellationToken);
            }
            foreach (var location in records.Locations)
            {
                await WriteLocationAsync(importer, location, cancellationToken);
            }
            foreach (var withdrawal in records.Withdrawals)
            {
                await WriteWithdrawalAsync(importer, withdrawal, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        var unknownWithdrawals = 0;
        if (records.Withdrawals.Count > 0)
        {
            await using var count = new NpgsqlCommand(CountUnknownWithdrawals, connection);
            count.Parameters.Add(new NpgsqlParameter<string>("agency", NpgsqlDbType.Text) { TypedValue = agency });
            unknownWithdrawals = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var upsert = new NpgsqlCommand(Upsert, connection);
        upsert.Parameters.Add(new NpgsqlParameter<string>("agency", NpgsqlDbType.Text) { TypedValue = agency });
        upsert.Parameters.Add(new NpgsqlParameter("message_id", NpgsqlDbType.Uuid) { Value = messageId.HasValue ? messageId.Value : DBNull.Value });
        var changes = new List<StoredRecordChange>(records.Count);
        await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new StoredRecordChange(
                reader.GetInt64(0),
                Enum.Parse<RecordKind>(reader.GetString(1)),
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetBoolean(4),
                reader.GetBoolean(5)));
        }
        return (changes, unknownWithdrawals);
    }

    private static async Task WriteKeyAsync(NpgsqlBinaryImporter w, RecordKind kind, string localId, long version, bool withdrawn,
        string? subjectRef, CancellationToken ct)
    {
        await w.StartRowAsync(ct);
        await w.WriteAsync(kind.ToString(), NpgsqlDbType.Text, ct);
        await w.WriteAsync(localId, NpgsqlDbType.Text, ct);
        await w.WriteAsync(version, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(withdrawn, NpgsqlDbType.Boolean, ct);
        await WriteAsync(w, subjectRef, NpgsqlDbType.Text, ct);
    }

    private static async Task WriteLabelsAsync(NpgsqlBinaryImporter w, RecordLabels? labels, CancellationToken ct)
    {
        await WriteAsync(w, labels?.Sensitivity.ToString(), NpgsqlDbType.Text, ct);
        await WriteAsync(w, labels?.Confidence?.ToString(), NpgsqlDbType.Text, ct);
        await WriteAsync(w, labels?.ControlOfficial.PersonFullName, NpgsqlDbType.Text, ct);
        await WriteAsync(w, labels?.ControlOfficial.ContactChannel, NpgsqlDbType.Text, ct);
        await WriteAsync(w, labels?.CaseTrackingID, NpgsqlDbType.Text, ct);
        await WriteAsync(w, labels?.Justification, NpgsqlDbType.Text, ct);
        await WriteStructAsync(w, labels?.ReviewDate, NpgsqlDbType.Date, ct);
    }

    private static async Task WritePersonAsync(NpgsqlBinaryImporter w, PersonRecordPublished p, CancellationToken ct)
    {
        await WriteKeyAsync(w, RecordKind.Person, p.LocalId, p.Version, false, null, ct);
        await WriteLabelsAsync(w, p.Labels, ct);
        await w.WriteAsync(p.PersonRole.ToString(), NpgsqlDbType.Text, ct);
        await WriteAsync(w, p.PersonGivenName, NpgsqlDbType.Text, ct);
        await WriteAsync(w, p.PersonSurName, NpgsqlDbType.Text, ct);
        await w.WriteAsync(p.PersonAlternateNames?.ToArray() ?? [], NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
        await WriteStructAsync(w, (short?)p.PersonBirthDate?.Year, NpgsqlDbType.Smallint, ct);
        await WriteStructAsync(w, (short?)p.PersonBirthDate?.Month, NpgsqlDbType.Smallint, ct);
        await WriteStructAsync(w, (short?)p.PersonBirthDate?.Day, NpgsqlDbType.Smallint, ct);
        await w.WriteAsync(p.PersonSex.ToString(), NpgsqlDbType.Text, ct);
        var identifiers = p.PersonOtherIdentifications is { Count: > 0 } ids
            ? JsonSerializer.Serialize(ids.Select(i => new { category = i.IdentificationCategoryText, id = i.IdentificationID, jurisdiction = i.IdentificationJurisdictionText }), IdentifierJson)
            : null;
        await WriteAsync(w, identifiers, NpgsqlDbType.Jsonb, ct);
        await WriteNullsAsync(w, 10, ct);
    }

    private static async Task WritePhoneAsync(NpgsqlBinaryImporter w, PhoneRecordPublished p, CancellationToken ct)
    {
        await WriteKeyAsync(w, RecordKind.Phone, p.LocalId, p.Version, false, p.SubjectRef, ct);
        await WriteLabelsAsync(w, p.Labels, ct);
        await WriteNullsAsync(w, 9, ct);
        await w.WriteAsync(p.TelephoneNumberFullID, NpgsqlDbType.Text, ct);
        await w.WriteAsync(p.TelephoneNumberE164, NpgsqlDbType.Text, ct);
        await WriteStructAsync(w, p.ValidFromDate, NpgsqlDbType.Date, ct);
        await WriteStructAsync(w, p.ValidToDate, NpgsqlDbType.Date, ct);
        await WriteNullsAsync(w, 6, ct);
    }

    private static async Task WriteLocationAsync(NpgsqlBinaryImporter w, LocationRecordPublished l, CancellationToken ct)
    {
        await WriteKeyAsync(w, RecordKind.Location, l.LocalId, l.Version, false, l.SubjectRef, ct);
        await WriteLabelsAsync(w, l.Labels, ct);
        await WriteNullsAsync(w, 13, ct);
        await WriteAsync(w, l.LocationAddressFullText, NpgsqlDbType.Text, ct);
        await WriteStructAsync(w, l.LatitudeDegreeValue, NpgsqlDbType.Double, ct);
        await WriteStructAsync(w, l.LongitudeDegreeValue, NpgsqlDbType.Double, ct);
        await WriteStructAsync(w, l.PlannedOperation?.RadiusMeters, NpgsqlDbType.Double, ct);
        await WriteStructAsync(w, l.PlannedOperation?.StartDateTime.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        await WriteStructAsync(w, l.PlannedOperation?.EndDateTime.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
    }

    private static async Task WriteWithdrawalAsync(NpgsqlBinaryImporter w, RecordWithdrawn r, CancellationToken ct)
    {
        await WriteKeyAsync(w, r.RecordKind, r.LocalId, r.Version, true, null, ct);
        await WriteNullsAsync(w, 26, ct);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter w, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, type, ct);

    private static Task WriteStructAsync<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } v ? w.WriteAsync(v, type, ct) : w.WriteNullAsync(ct);

    private static async Task WriteNullsAsync(NpgsqlBinaryImporter w, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            await w.WriteNullAsync(ct);
        }
    }
}
