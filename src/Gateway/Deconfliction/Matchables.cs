using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Contracts.V1;
using SharingHub.Matching;
using PlannedOperation = SharingHub.Matching.PlannedOperation;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>A stored record's matching-relevant columns, as read back from <c>records</c>.</summary>
internal sealed record RecordRow(
    long Id,
    string Agency,
    RecordKind Kind,
    string LocalId,
    bool Withdrawn,
    string? SubjectRef,
    string? GivenName,
    string? Surname,
    string[]? Aliases,
    short? BirthYear,
    short? BirthMonth,
    short? BirthDay,
    string? Sex,
    string? Identifiers,
    string? PhoneE164,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    string? Address,
    double? Latitude,
    double? Longitude,
    double? RadiusMeters,
    DateTime? StartsAt,
    DateTime? EndsAt)
{
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

    /// <summary>Persons: the ids of the phones and places that point to it.</summary>
    public IReadOnlyList<long> Linked { get; init; } = [];

    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Hash of the normalized matching fields (32 hex characters).</summary>
    public string Fingerprint { get; init; } = "";
}

/// <summary>
/// Reads records back from <c>records</c> and normalizes them through the engine: persons with the phones and places
/// of the same agency that point to them (<c>subject_ref</c>), phones and places with their subject's id.
/// Three queries per call, whatever the number of records.
/// </summary>
internal sealed class MatchableLoader(MatchingEngine engine)
{
    private const string Columns = """
        r.id, r.agency_code, r.kind, r.local_id, r.withdrawn_at IS NOT NULL, r.subject_ref,
        r.given_name, r.surname, r.aliases, r.birth_year, r.birth_month, r.birth_day, r.sex, r.identifiers::text,
        r.phone_e164, lower(r.phone_validity), CASE WHEN upper_inf(r.phone_validity) THEN NULL ELSE upper(r.phone_validity) - 1 END,
        r.address, r.latitude, r.longitude, r.radius_meters, lower(r.operation_window), upper(r.operation_window)
        """;

    private static readonly JsonSerializerOptions IdentifierJson = new(JsonSerializerDefaults.Web);

    public MatchingEngine Engine => engine;

    /// <summary>Loads and normalizes <paramref name="ids"/>; unknown ids are left out.</summary>
    public async Task<Dictionary<long, Matchable>> LoadAsync(NpgsqlConnection connection, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, Matchable>(ids.Count);
        if (ids.Count == 0)
        {
            return result;
        }
        var rows = await ReadRowsAsync(connection, $"SELECT {Columns} FROM records r WHERE r.id = ANY(@ids)",
            c => c.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. ids] }),
            cancellationToken);

        // Persons' phones and places, and phones' and places' subjects: each one set-based query.
        var persons = rows.Where(r => r.Kind == RecordKind.Person && !r.Withdrawn).ToList();
        var linked = persons.Count == 0 ? [] : await ReadRowsAsync(connection, $"""
            SELECT {Columns} FROM records r
            JOIN unnest(@agencies, @refs) AS s(agency_code, subject_ref) ON r.agency_code = s.agency_code AND r.subject_ref = s.subject_ref
            WHERE r.withdrawn_at IS NULL AND r.kind IN ('Phone', 'Location') AND r.operation_window IS NULL
            """,
            c =>
            {
                c.Parameters.Add(new NpgsqlParameter<string[]>("agencies", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. persons.Select(p => p.Agency)] });
                c.Parameters.Add(new NpgsqlParameter<string[]>("refs", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. persons.Select(p => p.LocalId)] });
            },
            cancellationToken);
        var linkedBySubject = linked.ToLookup(r => (r.Agency, r.SubjectRef!));

        var owned = rows.Where(r => r.BelongsToSubject).ToList();
        var subjects = await ResolveSubjectsAsync(connection, owned, cancellationToken);

        foreach (var row in rows)
        {
            result[row.Id] = row.Keyed switch
            {
                KeyedKind.Person => Person(row, row.Withdrawn ? [] : [.. linkedBySubject[(row.Agency, row.LocalId)]]),
                KeyedKind.Phone => Phone(row, SubjectOf(row, subjects)),
                KeyedKind.Place => Place(row, SubjectOf(row, subjects)),
                KeyedKind.Operation => Operation(row),
                _ => throw new InvalidOperationException($"Unknown keyed kind {row.Keyed}."),
            };
        }
        return result;
    }

    private static long? SubjectOf(RecordRow row, Dictionary<(string, string), long> subjects) =>
        row.SubjectRef is { } subjectRef && subjects.TryGetValue((row.Agency, subjectRef), out var id) ? id : null;

    private static async Task<Dictionary<(string, string), long>> ResolveSubjectsAsync(NpgsqlConnection connection, List<RecordRow> owned, CancellationToken cancellationToken)
    {
        var subjects = new Dictionary<(string, string), long>();
        if (owned.Count == 0)
        {
            return subjects;
        }
        await using var command = new NpgsqlCommand("""
            SELECT r.agency_code, r.local_id, r.id FROM records r
            JOIN unnest(@agencies, @refs) AS s(agency_code, local_id) ON r.agency_code = s.agency_code AND r.kind = 'Person' AND r.local_id = s.local_id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("agencies", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. owned.Select(p => p.Agency)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("refs", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. owned.Select(p => p.SubjectRef!)] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            subjects[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        }
        return subjects;
    }

    private Matchable Person(RecordRow row, RecordRow[] linked)
    {
        if (row.Withdrawn)
        {
            return new Matchable { Row = row };
        }
        var identifiers = ParseIdentifiers(row.Identifiers);
        var phones = linked.Where(l => l.Kind == RecordKind.Phone && l.PhoneE164 is not null)
            .Select(l => new PhoneInput(l.PhoneE164!, l.ValidFrom, l.ValidTo, row.LocalId));
        var places = linked.Where(l => l.Kind == RecordKind.Location)
            .Select(l => new PlaceInput(l.Address, l.Latitude, l.Longitude, SubjectRef: row.LocalId));
        var evidence = engine.BuildPersonEvidence(new PersonInput(row.GivenName, row.Surname, row.Aliases, row.BirthDate, row.Sex, identifiers), phones, places);
        var keys = engine.PersonKeys(evidence);
        return new Matchable
        {
            Row = row,
            Usable = keys.Count > 0 || evidence.Names.Count > 0,
            Person = evidence,
            Linked = [.. linked.Select(l => l.Id)],
            Keys = keys,
            Fingerprint = MatchFingerprint.Of(evidence),
        };
    }

    private Matchable Phone(RecordRow row, long? subjectId)
    {
        if (row.Withdrawn || row.PhoneE164 is null)
        {
            return new Matchable { Row = row, SubjectId = subjectId };
        }
        try
        {
            var phone = engine.NormalizePhone(new PhoneInput(row.PhoneE164, row.ValidFrom, row.ValidTo, row.SubjectRef));
            return new Matchable
            {
                Row = row,
                Usable = true,
                Phone = phone,
                SubjectId = subjectId,
                Keys = engine.PhoneKeys(phone),
                Fingerprint = MatchFingerprint.Of(phone),
            };
        }
        catch (InvalidMatchingInputException)
        {
            // Stored but not matchable on its number: it takes part in nothing (the ingest validator let it through).
            return new Matchable { Row = row, SubjectId = subjectId };
        }
    }

    private Matchable Place(RecordRow row, long? subjectId)
    {
        if (row.Withdrawn)
        {
            return new Matchable { Row = row, SubjectId = subjectId };
        }
        try
        {
            var place = engine.NormalizePlace(new PlaceInput(row.Address, row.Latitude, row.Longitude, SubjectRef: row.SubjectRef));
            return new Matchable
            {
                Row = row,
                Usable = true,
                Place = place,
                SubjectId = subjectId,
                Keys = engine.PlaceKeys(place),
                Fingerprint = MatchFingerprint.Of(place),
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
                Keys = OwnLevelAreaCells(engine.OperationKeys(operation)),
                Fingerprint = MatchFingerprint.Of(operation),
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

    private static async Task<List<RecordRow>> ReadRowsAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        parameters(command);
        var rows = new List<RecordRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RecordRow(
                reader.GetInt64(0),
                reader.GetString(1),
                Enum.Parse<RecordKind>(reader.GetString(2)),
                reader.GetString(3),
                reader.GetBoolean(4),
                NullableString(reader, 5),
                NullableString(reader, 6),
                NullableString(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<string[]>(8),
                reader.IsDBNull(9) ? null : reader.GetInt16(9),
                reader.IsDBNull(10) ? null : reader.GetInt16(10),
                reader.IsDBNull(11) ? null : reader.GetInt16(11),
                NullableString(reader, 12),
                NullableString(reader, 13),
                NullableString(reader, 14),
                reader.IsDBNull(15) ? null : reader.GetFieldValue<DateOnly>(15),
                reader.IsDBNull(16) ? null : reader.GetFieldValue<DateOnly>(16),
                NullableString(reader, 17),
                reader.IsDBNull(18) ? null : reader.GetDouble(18),
                reader.IsDBNull(19) ? null : reader.GetDouble(19),
                reader.IsDBNull(20) ? null : reader.GetDouble(20),
                reader.IsDBNull(21) ? null : reader.GetFieldValue<DateTime>(21),
                reader.IsDBNull(22) ? null : reader.GetFieldValue<DateTime>(22)));
        }
        return rows;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private sealed record StoredIdentifier(string? Category, string? Id, string? Jurisdiction);
}

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
