using System.Text.Json;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Tests;

/// <summary>The mapping engine: mapping files, templates and rows to records.</summary>
public sealed class MappingTests : IDisposable
{
    // The README's example mapping, with a home address added.
    private const string CaseSystemMapping = """
        {
          "format": "csv",
          "phoneRegion": "US",
          "dateFormats": ["MM/dd/yyyy"],
          "labels": { "sensitivity": "agencyOnly", "controlOfficial.name": "Det. Ana Ruiz",
                      "controlOfficial.channel": "+1 713 555 0101" },
          "records": [
            { "kind": "person",
              "fields": { "localId": "P-{PersonID}", "version": "{RowVersion}", "givenName": "{First}",
                          "surname": "{Last1} {Last2}", "birthDate": "{DOB}", "sex": "{Gender}", "role": "{RoleCode}",
                          "labels.caseRef": "{CaseNo}", "labels.justification": "{Reason}" },
              "aliases": ["{AKA}"],
              "values": { "role": { "S": "suspect", "V": "victim", "W": "witness" } } },
            { "kind": "phone", "when": "{CellPhone}",
              "fields": { "localId": "P-{PersonID}-CELL", "version": "{RowVersion}", "subjectRef": "P-{PersonID}",
                          "number": "{CellPhone}" } },
            { "kind": "location", "when": "{Street}",
              "fields": { "localId": "P-{PersonID}-HOME", "version": "{RowVersion}", "subjectRef": "P-{PersonID}",
                          "address": "{Street}", "lat": "{Lat}", "lon": "{Lon}" } }
          ]
        }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private RowMapper Mapper(string json = CaseSystemMapping) => new(MappingFile.Load(_folder.File($"{Guid.NewGuid():N}.mapping.json", json)));

    private static Dictionary<string, string?> Row(params (string Column, string? Value)[] values) =>
        values.ToDictionary(v => v.Column, v => v.Value, StringComparer.Ordinal);

    private static Dictionary<string, string?> CaseRow(string? cell = "+52 55 4512 7781", string? street = "4410 Navigation Blvd, Houston, TX 77011") => Row(
        ("PersonID", "1001"), ("RowVersion", "3"), ("First", "MARÍA JOSÉ"), ("Last1", "GARCÍA"), ("Last2", "LÓPEZ"), ("AKA", "Majo"),
        ("DOB", "03/14/1988"), ("Gender", "F"), ("RoleCode", "S"), ("CaseNo", "HPD-24-0091"), ("Reason", "Subject of investigation 24-0091"),
        ("CellPhone", cell), ("Street", street), ("Lat", "29.7562"), ("Lon", "-95.3251"), ("Narrative", "free text that must never leave"));

    [Fact]
    public void Map_OneRowWithPersonPhoneAndAddress_ThreeRecordsPointingToThePerson()
    {
        var records = Mapper().Map(CaseRow());

        Assert.Collection(records,
            person =>
            {
                Assert.Equal("person", person.Kind);
                Assert.Equal("P-1001", person.LocalId);
                Assert.Equal("3", person.Version);
                Assert.Equal("GARCÍA LÓPEZ", person.Surname);
                Assert.Equal("suspect", person.Role);
                Assert.Equal(["Majo"], person.Aliases);
                Assert.Equal("HPD-24-0091", person.Labels.CaseRef);
            },
            phone =>
            {
                Assert.Equal("phone", phone.Kind);
                Assert.Equal("P-1001-CELL", phone.LocalId);
                Assert.Equal("P-1001", phone.SubjectRef);
                Assert.Equal("+52 55 4512 7781", phone.Number);
            },
            home =>
            {
                Assert.Equal("location", home.Kind);
                Assert.Equal("P-1001-HOME", home.LocalId);
                Assert.Equal("P-1001", home.SubjectRef);
                Assert.Equal("29.7562", home.Lat);
            });
    }

    [Fact]
    public void Map_RowThroughSanitizer_ValidContractRecords()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", CaseSystemMapping));
        var sanitizer = new Sanitizer(Cli.PublishCommand.SettingsFor(mapping, "US") with { Today = SourceRecords.Today });

        var results = new RowMapper(mapping).Map(CaseRow()).Select(sanitizer.Sanitize).ToList();

        Assert.All(results, r => Assert.True(r.IsValid, string.Join("; ", r.Problems.Select(p => $"{p.Field}: {p.Reason}"))));
        var person = Assert.IsType<PersonRecordPublished>(results[0].Record);
        Assert.Equal("García López", person.PersonSurName);
        Assert.Equal("María José", person.PersonGivenName);
        Assert.Equal(new PartialDate { Year = 1988, Month = 3, Day = 14 }, person.PersonBirthDate);
        Assert.Equal(Sensitivity.AgencyOnly, person.Labels.Sensitivity);
        Assert.Equal("+525545127781", Assert.IsType<PhoneRecordPublished>(results[1].Record).TelephoneNumberE164);
    }

    [Fact]
    public void Map_UnmappedColumns_NeverInThePublishedRecords()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", CaseSystemMapping));
        var sanitizer = new Sanitizer(Cli.PublishCommand.SettingsFor(mapping, "US") with { Today = SourceRecords.Today });

        var published = new RowMapper(mapping).Map(CaseRow()).Select(r => sanitizer.Sanitize(r).Record).ToList();

        var json = JsonSerializer.Serialize(published);
        Assert.DoesNotContain("free text", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_WhenTemplateEmpty_RecordNotEmitted()
    {
        var records = Mapper().Map(CaseRow(cell: "  ", street: null));

        Assert.Equal("person", Assert.Single(records).Kind);
    }

    [Theory]
    [InlineData("V", "victim")]
    [InlineData(" W ", "witness")]
    [InlineData("associate", "associate")]
    public void Map_ValuesTable_TranslatesCodesAndLeavesOthers(string code, string expected)
    {
        var row = CaseRow();
        row["RoleCode"] = code;

        Assert.Equal(expected, Mapper().Map(row)[0].Role);
    }

    [Fact]
    public void Map_LabelDefaults_AppliedAndARecordsOwnFieldWins()
    {
        var mapper = Mapper("""
            { "labels": { "sensitivity": "agencyOnly", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [
                { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{name}" } },
                { "kind": "location", "fields": { "localId": "OP-{id}", "version": "1", "lat": "29.7", "lon": "-95.3",
                    "labels.sensitivity": "{opSensitivity}", "labels.controlOfficial.name": "Sgt. Lee" } }
              ] }
            """);

        var records = mapper.Map(Row(("id", "7"), ("name", "Lee"), ("opSensitivity", "restricted")));

        Assert.Equal("agencyOnly", records[0].Labels.Sensitivity);
        Assert.Equal("Det. Ana Ruiz", records[0].Labels.ControlOfficialName);
        Assert.Equal("restricted", records[1].Labels.Sensitivity);
        Assert.Equal("Sgt. Lee", records[1].Labels.ControlOfficialName);
        Assert.Equal("+1 713 555 0101", records[1].Labels.ControlOfficialChannel);
    }

    [Fact]
    public void Map_LabelDefaultTranslatedByValues_Translated()
    {
        var mapper = Mapper("""
            { "labels": { "sensitivity": "{Sens}", "controlOfficial.name": "A", "controlOfficial.channel": "a@b.org" },
              "records": [ { "kind": "person", "fields": { "localId": "{id}", "version": "1", "role": "victim", "surname": "X" },
                             "values": { "labels.sensitivity": { "1": "open", "3": "restricted" } } } ] }
            """);

        Assert.Equal("restricted", mapper.Map(Row(("id", "1"), ("Sens", "3")))[0].Labels.Sensitivity);
    }

    [Fact]
    public void Map_TemplateWhoseColumnsAreAllEmpty_MissingNotLiteralText()
    {
        var row = CaseRow();
        row["PersonID"] = " ";

        var record = Mapper().Map(row)[0];

        Assert.Null(record.LocalId);
        Assert.Equal("localId", Assert.Single(new Sanitizer(SourceRecords.Settings()).Sanitize(record).Problems).Field);
    }

    [Fact]
    public void Map_TemplateWithSomeColumnsEmpty_KeepsTheOthers()
    {
        var row = CaseRow();
        row["Last2"] = "";

        Assert.Equal("GARCÍA ", Mapper().Map(row)[0].Surname);
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z")]
    public void Map_Version_NumberOrTimestampPassedToTheSanitizer(string version, string expected)
    {
        var row = CaseRow();
        row["RowVersion"] = version;

        var record = Mapper().Map(row)[0];

        Assert.Equal(expected, record.Version);
        var sanitized = new Sanitizer(SourceRecords.Settings(dateFormats: "MM/dd/yyyy")).Sanitize(record);
        Assert.True(sanitized.IsValid, string.Join("; ", sanitized.Problems.Select(p => $"{p.Field}: {p.Reason}")));
    }

    [Fact]
    public void Map_Identifiers_EmptyOnesSkipped()
    {
        var mapper = Mapper("""
            { "labels": { "sensitivity": "open", "controlOfficial.name": "A", "controlOfficial.channel": "a@b.org" },
              "records": [ { "kind": "person", "fields": { "localId": "{id}", "version": "1", "role": "victim" },
                             "identifiers": [ { "category": "passport", "id": "{passport}", "jurisdiction": "{country}" },
                                              { "category": "driverLicense", "id": "{dl}" } ] } ] }
            """);

        var record = mapper.Map(Row(("id", "1"), ("passport", "G123"), ("country", "MX"), ("dl", "")))[0];

        Assert.Equal([new SourceIdentifier("passport", "G123", "MX")], record.Identifiers);
    }

    [Fact]
    public void Columns_EveryReferencedColumn_Listed()
    {
        var columns = Mapper().Columns.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["AKA", "CaseNo", "CellPhone", "DOB", "First", "Gender", "Last1", "Last2", "Lat", "Lon", "PersonID", "Reason", "RoleCode", "RowVersion", "Street"], columns);
    }

    [Theory]
    [InlineData("P-{id}", "P-7")]
    [InlineData("{{literal}} {id}", "{literal} 7")]
    [InlineData("plain", "plain")]
    [InlineData("{ id }", "7")]
    public void TemplateRender_Templates_Rendered(string template, string expected)
    {
        Assert.Equal(expected, Template.Parse(template).Render(Row(("id", " 7 "))));
    }

    [Theory]
    [InlineData("P-{id")]
    [InlineData("P-{}")]
    [InlineData("P-id}")]
    public void TemplateParse_Malformed_MappingExceptionQuotingTheTemplate(string template)
    {
        var error = Assert.Throws<MappingException>(() => Template.Parse(template));

        Assert.Contains(template, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"records":[{"kind":"person","fields":{"localId":"{a}"}}],"labelz":{}}""", "$.labelz: unknown setting")]
    [InlineData("""{"records":[]}""", "records is empty")]
    [InlineData("""{"records":[{"kind":"vehicle","fields":{"localId":"{a}"}}]}""", "records[0].kind must be person, phone or location")]
    [InlineData("""{"records":[{"kind":"phone","fields":{"number":"{a}"}}]}""", "records[0].fields needs a localId template")]
    [InlineData("""{"records":[{"kind":"phone","fields":{"localId":"{a}","givenName":"{b}"}}]}""", "records[0].fields.givenName is not a field of a phone record")]
    [InlineData("""{"labels":{"secrecy":"open"},"records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "labels.secrecy is not a label")]
    [InlineData("""{"records":[{"kind":"person","fields":{"localId":"{a}"},"values":{"role":{"S":"suspect"}}}]}""", "records[0].values.role translates a field that is not mapped")]
    [InlineData("""{"records":[{"kind":"phone","fields":{"localId":"{a}"},"aliases":["{b}"]}]}""", "only person records have aliases and identifiers")]
    [InlineData("""{"format":"xml","records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "format must be csv or json")]
    [InlineData("""{"delimiter":";;","records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "delimiter must be one character")]
    [InlineData("""{"records":[{"kind":"person","fields":{"localId":"{a}"}}]""", "invalid value")]
    public void Load_MistakeInMappingFile_MappingExceptionSayingWhere(string json, string expected)
    {
        var path = _folder.File("bad.mapping.json", json);

        var error = Assert.Throws<MappingException>(() => MappingFile.Load(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_MappingException()
    {
        var error = Assert.Throws<MappingException>(() => MappingFile.Load(_folder.Combine("absent.json")));

        Assert.Contains("absent.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CommentsAndTrailingCommas_Accepted()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", """
            {
              // the person table
              "records": [ { "kind": "person", "fields": { "localId": "{a}", }, }, ],
            }
            """));

        Assert.Single(mapping.Records);
    }

    [Fact]
    public void SettingsFor_UnknownTimeZone_MappingException()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", """{"timeZone":"America/Gotham","records":[{"kind":"person","fields":{"localId":"{a}"}}]}"""));

        var error = Assert.Throws<MappingException>(() => Cli.PublishCommand.SettingsFor(mapping, "US"));

        Assert.Contains("America/Gotham", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsFor_MappingRegionAndFormats_OverrideTheCommandLine()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", """{"phoneRegion":"mx","timeZone":"America/Chicago","dateFormats":["dd/MM/yyyy"],"records":[{"kind":"person","fields":{"localId":"{a}"}}]}"""));

        var settings = Cli.PublishCommand.SettingsFor(mapping, "US");

        Assert.Equal("MX", settings.PhoneRegion);
        Assert.Equal(["dd/MM/yyyy"], settings.DateFormats);
        Assert.NotNull(settings.TimeZone);
        Assert.Equal("US", Cli.PublishCommand.SettingsFor(null, "us").PhoneRegion);
    }

    [Fact]
    public void SettingsFor_PhoneRegions_DefaultThenNeighbours()
    {
        var mapping = MappingFile.Load(_folder.File("m.json", """{"phoneRegions":["us","MX"],"records":[{"kind":"person","fields":{"localId":"{a}"}}]}"""));

        Assert.Equal(["US", "MX"], Cli.PublishCommand.SettingsFor(mapping, "CA").PhoneRegions);
        Assert.Equal(["US", "MX"], Cli.PublishCommand.SettingsFor(null, "US,MX").PhoneRegions);
    }

    [Theory]
    [InlineData("""{"phoneRegions":["US","XX"],"records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "phoneRegions: 'XX'")]
    [InlineData("""{"phoneRegions":[],"records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "phoneRegions: at least one")]
    [InlineData("""{"phoneRegion":"US","phoneRegions":["MX"],"records":[{"kind":"person","fields":{"localId":"{a}"}}]}""", "not both")]
    public void Load_BadPhoneRegions_MappingExceptionSaysWhy(string json, string expected)
    {
        var error = Assert.Throws<MappingException>(() => MappingFile.Load(_folder.File("m.json", json)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
