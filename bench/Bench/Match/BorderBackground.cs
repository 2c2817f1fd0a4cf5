using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using SharingHub.Matching;
using SharingHub.Connectors.Cli;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Bench.Match;

/// <summary>
/// The rest of a hub around an evaluated set (<c>./hub evaluate --background</c>): a population from the same
/// generator, stored before the set is published, so that the name counts come from a realistically sized hub and
/// every namesake in it is a candidate the evaluated records can wrongly match. Bulk-loaded (it is background, not the
/// measured path), but each row is read and cleaned by the connector's own mapping and sanitizer and stored as the
/// Gateway stores what the connector sends: the person with its phone and address as linked records, the same precomputed features, the same blocking
/// keys and the same name counts (<c>name_frequency_sources</c> and <c>name_frequency_deltas</c>, which the Gateway
/// folds and reloads). Its agencies are inserted by the benchmark, so <see cref="BenchAgencies.DeleteAsync"/> removes
/// them with their records, keys and name counts.
/// </summary>
internal sealed class BorderBackground
{
    private const int ChunkRows = 20_000;

    /// <summary>A background of <paramref name="rows"/> (the border generator's columns), to store under agencies named from <paramref name="prefix"/>.</summary>
    public BorderBackground(string prefix, string[] header, List<string[]> rows)
    {
        _header = header;
        _rows = rows;
        var agency = Column("agency");
        _agencies = [.. rows.Select(r => r[agency]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        Codes = [.. _agencies.Select((_, i) => $"{prefix}{(char)('A' + i % 26)}{i / 26}")];
        Truth = [.. rows.Select(r => r[Column("person_id")])];
        Agency = [.. rows.Select(r => r[agency])];
    }

    private readonly string[] _header;

    private readonly List<string[]> _rows;

    private readonly List<string> _agencies;

    /// <summary>The background agencies' codes, one per value of the file's agency column.</summary>
    public string[] Codes { get; }

    /// <summary>Each background row's person id in its own file (a different population from the evaluated one).</summary>
    public string[] Truth { get; }

    /// <summary>Each background row's agency column.</summary>
    public string[] Agency { get; }

    /// <summary>The pair id of background row <paramref name="row"/>: negative, so it never equals an evaluated row's.</summary>
    public static int PairId(int row) => -(row + 1);

    /// <summary>The background row of a pair id below zero.</summary>
    public static int RowOf(int pairId) => -pairId - 1;

    private int Column(string name) =>
        Array.IndexOf(_header, name) is >= 0 and var i ? i : throw new ArgumentException($"the background file has no column '{name}'");

    /// <summary>
    /// Stores the rows under fresh background agencies (<see cref="Codes"/>): one agency per value of the agency
    /// column, apart from the evaluated agencies, so every evaluated record is compared with every background record
    /// it shares a key with. A failure may leave part of them stored: <see cref="BenchAgencies.DeleteAsync"/> on
    /// <see cref="Codes"/> removes what there is.
    /// </summary>
    public async Task LoadAsync(NpgsqlDataSource data, string file, string mappingFile)
    {
        var (rows, codes, agencies, agency) = (_rows, Codes, _agencies, Column("agency"));
        foreach (var code in codes)
        {
            await MatchBenchmark.ExecuteAsync(data, "INSERT INTO agencies (code, name, kind, region, created_at) VALUES (@p0, 'Evaluation background', 'LawEnforcement', 'US', now())", code);
        }

        var engine = MatchingEngine.CreateDefault();
        var clock = Stopwatch.StartNew();
        // Each row read and cleaned by the connector's own mapping and sanitizer, as `./hub publish` would send it: names
        // in title case, the phone read in the mapping's regions, a record the connector would reject left out.
        var mapping = MappingFile.Load(mappingFile);
        var sanitizer = new Sanitizer(PublishCommand.SettingsFor(mapping, "US"));
        var people = new List<BackgroundPerson>(rows.Count);
        using (var reader = new RecordFileReader(file, new RowMapper(mapping)))
        {
            foreach (var row in reader.ReadRows())
            {
                var i = checked((int)row.Index - 1);
                var published = row.Records.Select(r => sanitizer.Sanitize(r).Record).ToList();
                if (published.OfType<PersonRecordPublished>().FirstOrDefault() is not { } person)
                {
                    continue;
                }
                var phone = published.OfType<PhoneRecordPublished>().FirstOrDefault();
                var date = person.PersonBirthDate;
                people.Add(new BackgroundPerson(i, codes[agencies.IndexOf(rows[i][agency])], person.PersonGivenName, person.PersonSurName,
                    date is null ? null : string.Join('-', new[] { date.Year, date.Month, date.Day }.OfType<int>().Select((v, k) => v.ToString(k == 0 ? "D4" : "D2", CultureInfo.InvariantCulture))),
                    person.PersonSex.ToString(), phone is null ? null : (phone.TelephoneNumberFullID, phone.TelephoneNumberE164),
                    published.OfType<LocationRecordPublished>().FirstOrDefault()?.LocationAddressFullText));
            }
        }
        for (var start = 0; start < people.Count; start += ChunkRows)
        {
            await LoadChunkAsync(data, engine, people.GetRange(start, Math.Min(ChunkRows, people.Count - start)));
        }
        await MatchBenchmark.ExecuteAsync(data, "VACUUM (ANALYZE) records, record_keys, name_frequency_sources");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== background: {rows.Count:N0} person rows of another population stored under {string.Join(' ', codes)} ({clock.Elapsed.TotalSeconds:F0} s)"));
        await MatchBenchmark.WaitForNameCountsAsync(data, TimeSpan.FromMinutes(5));
    }

    private static async Task LoadChunkAsync(NpgsqlDataSource data, MatchingEngine engine, List<BackgroundPerson> chunk)
    {
        await using var connection = await data.OpenConnectionAsync();
        var records = chunk.SelectMany(p => p.Records()).ToList();
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY records (agency_code, kind, local_id, version, first_seen_at, updated_at, subject_ref, sensitivity,
                control_official_name, control_official_channel, role, given_name, surname, aliases, birth_year, birth_month, birth_day,
                sex, phone_raw, phone_e164, address, features) FROM STDIN (FORMAT BINARY)
            """))
        {
            importer.Timeout = MatchBenchmark.LongStatement;
            var now = DateTime.UtcNow;
            foreach (var (person, kind, localId) in records)
            {
                var isPerson = kind == "Person";
                var date = isPerson ? DateParts(person.BirthDate) : Array.Empty<short>();
                object?[] values =
                [
                    person.Agency, kind, localId, 1L, now, now, isPerson ? null : person.LocalId("P"), "Open", "Evaluation run", "evaluation@sharinghub.invalid",
                    isPerson ? "Unknown" : null, isPerson ? person.Given : null, isPerson ? person.Surname : null, isPerson ? Array.Empty<string>() : null,
                    Part(date, 0), Part(date, 1), Part(date, 2), isPerson ? person.Sex : null,
                    kind == "Phone" ? person.Phone!.Value.Raw : null, kind == "Phone" ? person.Phone!.Value.E164 : null, kind == "Location" ? person.Address : null,
                    kind switch
                    {
                        "Person" => engine.PersonFeatures(person.Evidence(engine)),
                        "Phone" => engine.PhoneFeatures(person.Phone!.Value.E164),
                        _ => engine.AddressFeatures(person.Address),
                    },
                ];
                await importer.StartRowAsync();
                foreach (var value in values)
                {
                    await WriteAsync(importer, value);
                }
            }
            await importer.CompleteAsync();
        }

        var ids = new Dictionary<(string, string), long>();
        await using (var select = new NpgsqlCommand("SELECT agency_code, local_id, id FROM records WHERE agency_code = ANY(@a) AND local_id = ANY(@ids)", connection))
        {
            select.CommandTimeout = (int)MatchBenchmark.LongStatement.TotalSeconds;
            select.Parameters.AddWithValue("a", chunk.Select(p => p.Agency).Distinct().ToArray());
            select.Parameters.AddWithValue("ids", records.Select(r => r.LocalId).ToArray());
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        // The keys and name counts the Gateway's writer derives (BlockingKeyWriter, NameFrequencyWriter).
        await using (var keys = await connection.BeginBinaryImportAsync("COPY record_keys (record_id, kind, key, agency_code, subject_id) FROM STDIN (FORMAT BINARY)"))
        {
            keys.Timeout = MatchBenchmark.LongStatement;
            foreach (var person in chunk)
            {
                var personId = ids[(person.Agency, person.LocalId("P"))];
                var derived = new List<(long Id, short Kind, string Key, long? Subject)>();
                derived.AddRange(engine.PersonKeys(person.Evidence(engine)).Select(k => (personId, (short)1, k, (long?)null)));
                if (person.Phone is { } phone)
                {
                    derived.AddRange(engine.PhoneKeys(engine.NormalizePhone(new PhoneInput(phone.E164))).Select(k => (ids[(person.Agency, person.LocalId("T"))], (short)2, k, (long?)personId)));
                }
                if (person.Address is { } address)
                {
                    derived.AddRange(engine.PlaceKeys(engine.NormalizePlace(new PlaceInput(address))).Select(k => (ids[(person.Agency, person.LocalId("L"))], (short)3, k, (long?)personId)));
                }
                foreach (var (recordId, kind, key, subject) in derived)
                {
                    await keys.StartRowAsync();
                    await keys.WriteAsync(recordId, NpgsqlDbType.Bigint);
                    await keys.WriteAsync(kind, NpgsqlDbType.Smallint);
                    await keys.WriteAsync(key, NpgsqlDbType.Text);
                    await keys.WriteAsync(person.Agency, NpgsqlDbType.Text);
                    await WriteAsync(keys, subject);
                }
            }
            await keys.CompleteAsync();
        }
        await MatchBenchmark.CopyNameCountsAsync(connection, engine, chunk.Select(person => (ids[(person.Agency, person.LocalId("P"))], person.Own())));
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter importer, object? value)
    {
        switch (value)
        {
            case null: await importer.WriteNullAsync(); break;
            case string s: await importer.WriteAsync(s, NpgsqlDbType.Text); break;
            case long l: await importer.WriteAsync(l, NpgsqlDbType.Bigint); break;
            case short h: await importer.WriteAsync(h, NpgsqlDbType.Smallint); break;
            case DateTime t: await importer.WriteAsync(t, NpgsqlDbType.TimestampTz); break;
            case string[] a: await importer.WriteAsync(a, NpgsqlDbType.Array | NpgsqlDbType.Text); break;
            case byte[] b: await importer.WriteAsync(b, NpgsqlDbType.Bytea); break;
            default: throw new ArgumentException($"no column type for {value.GetType().Name}");
        }
    }

    // An ISO birth date, full or partial ("1988", "1988-03", "1988-03-14"), as the Gateway stores it: year, month, day.
    private static short[] DateParts(string? date) =>
        date is null ? [] : [.. date.Split('-').Select(p => short.Parse(p, CultureInfo.InvariantCulture))];

    private static short? Part(short[] parts, int index) => index < parts.Length ? parts[index] : null;

    /// <summary>One background row: a person, and the phone and address the row carries as linked records.</summary>
    private sealed record BackgroundPerson(int Row, string Agency, string? Given, string? Surname, string? BirthDate, string Sex,
        (string Raw, string E164)? Phone, string? Address)
    {
        public string LocalId(string kind) => string.Create(CultureInfo.InvariantCulture, $"{kind}-BG{Row}");

        public PersonInput Own() => new(Given, Surname, [], BirthDate, Sex);

        // The person's evidence as the Gateway's key writer puts it together: its own fields, its phone and its place.
        public PersonEvidence Evidence(MatchingEngine engine) => engine.BuildPersonEvidence(Own(),
            Phone is { } phone ? [new PhoneInput(phone.E164, SubjectRef: LocalId("P"))] : null, Address is { } address ? [new PlaceInput(address)] : null);

        public IEnumerable<(BackgroundPerson Person, string Kind, string LocalId)> Records()
        {
            yield return (this, "Person", LocalId("P"));
            if (Phone is not null)
            {
                yield return (this, "Phone", LocalId("T"));
            }
            if (Address is not null)
            {
                yield return (this, "Location", LocalId("L"));
            }
        }
    }
}
