using System.Collections.Frozen;
using SharingHub.Connectors.Cli;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;
using Spectre.Console;

namespace SharingHub.Connectors.Tests;

/// <summary>
/// A mapping's <c>omitInvalid</c>: an opted-in optional field whose value is invalid is left out of the published
/// record and reported, instead of rejecting the record. Everything else stays strict.
/// </summary>
public sealed class OmitInvalidTests : IDisposable
{
    private const string Labels = """
        "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" }
        """;

    // FEBRL-like: a person per row, its birth date written yyyyMMdd, the export known to carry typos there.
    private const string PersonMapping = $$"""
        { "dateFormats": ["yyyyMMdd"], {{Labels}},
          "records": [ { "kind": "person", "omitInvalid": ["birthDate"],
                         "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{surname}", "birthDate": "{dob}" } } ] }
        """;

    private static readonly Sanitizer Sanitizer = new(SourceRecords.Settings(dateFormats: "yyyyMMdd"));

    private static readonly Dictionary<string, string> MappedFields = new(StringComparer.Ordinal)
    {
        ["person"] = """ "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{s}" """,
        ["phone"] = """ "localId": "T-{id}", "version": "1", "subjectRef": "P-{id}", "number": "{n}" """,
        ["location"] = """ "localId": "L-{id}", "version": "1", "startsAt": "{t}" """,
    };

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static FrozenSet<string> Fields(params string[] fields) => fields.ToFrozenSet(StringComparer.Ordinal);

    private string Mapping(string json) => _folder.File($"{Guid.NewGuid():N}.mapping.json", json);

    [Theory]
    [InlineData("19551192")]
    [InlineData("19404502")]
    [InlineData("2090-01-01")]
    public void Sanitize_OptedInBirthDateInvalid_PublishedWithoutItAndOmissionGiven(string text)
    {
        var result = Sanitizer.Sanitize(SourceRecords.Person(r =>
        {
            r.BirthDate = text;
            r.OmitInvalid = Fields("birthDate");
        }));

        var person = Assert.IsType<PersonRecordPublished>(result.Record);
        Assert.Null(person.PersonBirthDate);
        Assert.Equal("García López", person.PersonSurName);
        Assert.Empty(result.Problems);
        var omission = Assert.Single(result.Omitted);
        Assert.Equal("birthDate", omission.Field);
        Assert.DoesNotContain(text, omission.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_OptedInBirthDateValid_KeptAndNothingOmitted()
    {
        var result = Sanitizer.Sanitize(SourceRecords.Person(r =>
        {
            r.BirthDate = "19551121";
            r.OmitInvalid = Fields("birthDate");
        }));

        Assert.Equal(new PartialDate { Year = 1955, Month = 11, Day = 21 }, Assert.IsType<PersonRecordPublished>(result.Record).PersonBirthDate);
        Assert.Empty(result.Omitted);
    }

    [Fact]
    public void Sanitize_BirthDateInvalidWithoutOptIn_RecordRejected()
    {
        var result = Sanitizer.Sanitize(SourceRecords.Person(r => r.BirthDate = "19551192"));

        Assert.Null(result.Record);
        Assert.Equal("birthDate", Assert.Single(result.Problems).Field);
        Assert.Empty(result.Omitted);
    }

    [Fact]
    public void Sanitize_OptedInSexAndPhoneValidityInvalid_PublishedWithoutThem()
    {
        var person = Sanitizer.Sanitize(SourceRecords.Person(r =>
        {
            r.Sex = "X";
            r.OmitInvalid = Fields("sex");
        }));
        var phone = Sanitizer.Sanitize(SourceRecords.Phone(change: r =>
        {
            r.ValidFrom = "2026-01-01";
            r.ValidTo = "soon";
            r.OmitInvalid = Fields("validFrom", "validTo");
        }));

        Assert.Equal(PersonSex.Unknown, Assert.IsType<PersonRecordPublished>(person.Record).PersonSex);
        Assert.Equal("sex", Assert.Single(person.Omitted).Field);
        var published = Assert.IsType<PhoneRecordPublished>(phone.Record);
        Assert.Equal(new DateOnly(2026, 1, 1), published.ValidFromDate);
        Assert.Null(published.ValidToDate);
        Assert.Equal("validTo", Assert.Single(phone.Omitted).Field);
    }

    [Fact]
    public void Sanitize_OptedInValidToBeforeValidFrom_StillRejected()
    {
        // Both dates parse; which of them is wrong cannot be told, so neither is dropped.
        var result = Sanitizer.Sanitize(SourceRecords.Phone(change: r =>
        {
            r.ValidFrom = "2026-02-01";
            r.ValidTo = "2026-01-31";
            r.OmitInvalid = Fields("validFrom", "validTo");
        }));

        Assert.Null(result.Record);
        Assert.Equal("validTo", Assert.Single(result.Problems).Field);
    }

    [Fact]
    public void Sanitize_OptedInFieldInvalidAndRecordRejectedForAnotherReason_BothAmongTheProblems()
    {
        var result = Sanitizer.Sanitize(SourceRecords.Person(r =>
        {
            r.Role = "suspect";
            r.BirthDate = "19551192";
            r.OmitInvalid = Fields("birthDate");
        }));

        Assert.Null(result.Record);
        Assert.Equal(["birthDate", "labels.justification"], result.Problems.Select(p => p.Field).Order(StringComparer.Ordinal));
        Assert.Empty(result.Omitted);
    }

    [Fact]
    public void Sanitize_RequiredFieldInOmitInvalid_IgnoredSoTheRecordIsRejected()
    {
        // The mapping refuses such a list at load time; the sanitizer does not rely on it.
        var result = Sanitizer.Sanitize(SourceRecords.Phone("12", r => r.OmitInvalid = Fields("number", "labels.sensitivity")));

        Assert.Null(result.Record);
        Assert.Equal("number", Assert.Single(result.Problems).Field);
    }

    [Fact]
    public void Map_MappingWithOmitInvalid_RecordsCarryItAndSanitizeWithoutTheBadValue()
    {
        var mapping = MappingFile.Load(Mapping(PersonMapping));
        var sanitizer = new Sanitizer(PublishCommand.SettingsFor(mapping, "US") with { Today = SourceRecords.Today });

        var record = Assert.Single(new RowMapper(mapping).Map(new Dictionary<string, string?> { ["id"] = "7", ["surname"] = "Lee", ["dob"] = "19404502" }));
        var result = sanitizer.Sanitize(record);

        Assert.Equal(["birthDate"], record.OmitInvalid);
        Assert.Null(Assert.IsType<PersonRecordPublished>(result.Record).PersonBirthDate);
        Assert.Equal("birthDate", Assert.Single(result.Omitted).Field);
    }

    [Fact]
    public void Parse_CanonicalLineWithInvalidBirthDate_NothingOptedInSoRejected()
    {
        var (record, _) = CanonicalLine.Parse("""
            {"kind":"person","localId":"P-1","version":1,"role":"victim","surname":"Lee","birthDate":"1955-11-92","labels":{"sensitivity":"open","controlOfficial":{"name":"A","channel":"a@b.org"}}}
            """);

        Assert.Empty(record!.OmitInvalid);
        Assert.Equal("birthDate", Assert.Single(Sanitizer.Sanitize(record).Problems).Field);
    }

    [Theory]
    [InlineData("person", "localId", "localId is required: an invalid value must reject the record")]
    [InlineData("person", "version", "version is required: an invalid value must reject the record")]
    [InlineData("person", "role", "role is required: an invalid value must reject the record")]
    [InlineData("phone", "number", "number is required: an invalid value must reject the record")]
    [InlineData("person", "labels.sensitivity", "labels.sensitivity is a label: an invalid value must reject the record")]
    [InlineData("person", "sensitivity", "sensitivity is a label: an invalid value must reject the record")]
    [InlineData("person", "controlOfficial", "controlOfficial is a label: an invalid value must reject the record")]
    [InlineData("person", "labels.justification", "labels.justification is a label: an invalid value must reject the record")]
    [InlineData("person", "labels.reviewBy", "labels.reviewBy is a label: an invalid value must reject the record")]
    [InlineData("person", "surname", "surname is not an optional value the record means the same without")]
    [InlineData("phone", "subjectRef", "subjectRef is not an optional value the record means the same without")]
    [InlineData("location", "startsAt", "startsAt is not an optional value the record means the same without")]
    [InlineData("person", "dob", "dob is not a field of a person record")]
    [InlineData("person", "BirthDate", "BirthDate is not a field of a person record")]
    [InlineData("phone", "birthDate", "birthDate is not a field of a phone record")]
    [InlineData("person", "sex", "sex is not mapped in fields")]
    public void Load_OmitInvalidListsARequiredLabelUnknownOrUnmappedField_MappingExceptionNamingIt(string kind, string field, string expected)
    {
        var path = Mapping($$"""
            { {{Labels}}, "records": [ { "kind": "{{kind}}", "omitInvalid": ["{{field}}"], "fields": { {{MappedFields[kind]}} } } ] }
            """);

        var error = Assert.Throws<MappingException>(() => MappingFile.Load(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains($"records[0].omitInvalid: {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishCommand_CsvWithOptedInTypos_ExitZeroSummaryCountsThemReportListsThemValuesNowhere()
    {
        var file = _folder.File("export.csv", "id,surname,dob\n1,Lee,19551121\n2,Kim,19551192\n3,Ruiz,19404502\n");
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 1000;

        var exit = await PublishCommand.RunAsync(new PublishArgs
        {
            Agency = "TX0099900",
            File = file,
            Mapping = Mapping(PersonMapping),
            DryRun = true,
            StateDirectory = _folder.Combine("state"),
        }, console, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("would publish 3 records (dry run); rejected 0 records and 0 unreadable rows; omitted 2 invalid optional values", output.ToString(), StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(file + ".rejects.csv", TestContext.Current.CancellationToken);
        Assert.Equal(
            "row,kind,localId,field,code,reason,action\n"
            + "3,person,P-2,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted\n"
            + "4,person,P-3,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted\n",
            report.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("19551192", output + report, StringComparison.Ordinal);
    }
}
