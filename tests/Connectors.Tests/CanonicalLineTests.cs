using System.Text.RegularExpressions;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Tests;

public sealed class CanonicalLineTests
{
    // The example lines of docs/records.md, "The canonical file format", as a user reads them.
    private static readonly IReadOnlyList<string> DocumentedExamples = RecordsDoc.CanonicalExamples();
    private static readonly string DesignPerson = DocumentedExamples[0];
    private static readonly string DesignPlace = DocumentedExamples[2];

    private static readonly Sanitizer Sanitizer = new(SourceRecords.Settings());

    private static SourceRecord Read(string line)
    {
        var (record, problem) = CanonicalLine.Parse(line);
        Assert.Null(problem);
        return Assert.IsType<SourceRecord>(record);
    }

    private static Problem Problem(string line)
    {
        var (record, problem) = CanonicalLine.Parse(line);
        Assert.Null(record);
        return Assert.IsType<Problem>(problem);
    }

    [Fact]
    public void Parse_DocumentedExamples_AllSanitizeToValidRecords()
    {
        var records = DocumentedExamples.Select(line => Sanitizer.Sanitize(Read(line))).ToList();

        Assert.Equal(5, records.Count);
        Assert.All(records, r => Assert.True(r.IsValid, string.Join("; ", r.Problems.Select(p => $"{p.Field}: {p.Reason}"))));
        var person = Assert.IsType<PersonRecordPublished>(records[0].Record);
        Assert.Equal("Subject of trafficking investigation 24-0091", person.Labels.Justification);
        Assert.Equal(["Majo"], person.PersonAlternateNames);
        Assert.Equal("+17135550199", Assert.IsType<PhoneRecordPublished>(records[1].Record).TelephoneNumberE164);
        Assert.Equal(Sensitivity.AgencyOnly, Assert.IsType<LocationRecordPublished>(records[2].Record).Labels.Sensitivity);
        Assert.Equal(300, Assert.IsType<LocationRecordPublished>(records[3].Record).PlannedOperation!.RadiusMeters);
        var withdrawal = Assert.IsType<RecordWithdrawn>(records[4].Record);
        Assert.Equal((RecordKind.Phone, "T-77", 3L), (withdrawal.RecordKind, withdrawal.LocalId, withdrawal.Version));
    }

    [Fact]
    public void Readme_CanonicalExamples_AreTheDocumentedOnes()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "README.md"));
        var inline = Regex.Matches(readme, "`(\\{\"kind\":[^`]*)`").Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(inline);
        Assert.All(inline, line => Assert.Contains(line, DocumentedExamples));
        Assert.Contains("docs/records.md", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("DESIGN.md", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PersonLine_EveryFieldCarriedAsText()
    {
        var record = Read(DesignPerson);

        Assert.Equal("person", record.Kind);
        Assert.Equal("P-1001", record.LocalId);
        Assert.Equal("1", record.Version);
        Assert.Equal("suspect", record.Role);
        Assert.Equal("María José", record.GivenName);
        Assert.Equal("García López", record.Surname);
        Assert.Equal(["Majo"], record.Aliases);
        Assert.Equal("1988-03-14", record.BirthDate);
        Assert.Equal("F", record.Sex);
        Assert.Equal("open", record.Labels.Sensitivity);
        Assert.Equal("high", record.Labels.Confidence);
        Assert.Equal("Det. Ana Ruiz", record.Labels.ControlOfficialName);
        Assert.Equal("+1 713 555 0101", record.Labels.ControlOfficialChannel);
        Assert.Equal("HPD-24-0091", record.Labels.CaseRef);
        Assert.Equal("2027-11-01", record.Labels.ReviewBy);
    }

    [Fact]
    public void Parse_Coordinates_RoundTripExactly()
    {
        var record = Read(DesignPlace);

        Assert.Equal("29.753", record.Lat);
        Assert.Equal("-95.36", record.Lon);
    }

    [Fact]
    public void Parse_Identifiers_Read()
    {
        var record = Read("""{"kind":"person","localId":"P-1","version":1,"identifiers":[{"category":"passport","id":"G1234567","jurisdiction":"MX"}]}""");

        Assert.Equal([new SourceIdentifier("passport", "G1234567", "MX")], record.Identifiers);
    }

    [Fact]
    public void Parse_Withdrawal_Read()
    {
        var record = Read("""{"kind":"phone","localId":"T-77","version":3,"withdrawn":true}""");

        Assert.Equal("True", record.Withdrawn);
        Assert.IsType<RecordWithdrawn>(Sanitizer.Sanitize(record).Record);
    }

    [Theory]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"surnme":"García"}""", "surnme")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"Surname":"García"}""", "Surname")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"notes":"met at the bus station"}""", "notes")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"labels":{"sensitivity":"open","secret":true}}""", "labels.secret")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"labels":{"controlOfficial":{"name":"A","phone":"1"}}}""", "labels.controlOfficial.phone")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"identifiers":[{"category":"passport","id":"1","issued":"2020"}]}""", "identifiers[0].issued")]
    public void Parse_UnknownField_ProblemNamesTheField(string line, string field)
    {
        var problem = Problem(line);

        Assert.Equal(field, problem.Field);
        Assert.Equal("is not a field of the canonical format", problem.Reason);
    }

    [Fact]
    public void Parse_FreeTextField_NeverReachesTheRecord()
    {
        var problem = Problem("""{"kind":"person","localId":"P-1","version":1,"narrative":"seen with the victim at the motel"}""");

        Assert.DoesNotContain("motel", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kind":"person","localId":"P-1","version":"one"}""", "version")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1.5}""", "version")]
    [InlineData("""{"kind":"location","localId":"L-1","version":1,"lat":"29.7"}""", "lat")]
    [InlineData("""{"kind":"person","localId":42,"version":1}""", "localId")]
    [InlineData("""{"kind":"person","localId":"P-1","version":1,"aliases":"Majo"}""", "aliases")]
    [InlineData("""{"kind":"phone","localId":"T-1","version":1,"withdrawn":"yes"}""", "withdrawn")]
    public void Parse_WrongType_ProblemNamesTheField(string line, string field)
    {
        var problem = Problem(line);

        Assert.Equal(field, problem.Field);
        Assert.Equal("has a value of the wrong type", problem.Reason);
    }

    [Theory]
    [InlineData("""{"kind":"person","localId":"P-1",""")]
    [InlineData("kind=person")]
    [InlineData("""{"kind":"person"} trailing""")]
    public void Parse_MalformedJson_RowProblem(string line)
    {
        var problem = Problem(line);

        Assert.Equal(Sanitizing.Problem.RowField, problem.Field);
        Assert.Equal("is not valid JSON", problem.Reason);
    }

    [Fact]
    public void Parse_JsonNull_RowProblem()
    {
        Assert.Equal("is not a JSON object", Problem("null").Reason);
    }

    [Fact]
    public void Parse_SameFieldTwice_ProblemNamesTheField()
    {
        // A second "role" would silently win; a duplicated field is as suspect as a misspelt one.
        var problem = Problem("""{"kind":"person","localId":"P-1","version":1,"role":"suspect","role":"victim"}""");

        Assert.Equal("role", problem.Field);
        Assert.Equal("appears more than once", problem.Reason);
    }
}

/// <summary>docs/records.md, the user documentation of the record format, as copied beside the tests.</summary>
internal static class RecordsDoc
{
    /// <summary>Every line of the <c>json</c> code blocks in its section "The canonical file format", in order.</summary>
    public static IReadOnlyList<string> CanonicalExamples()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "records.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("\n## The canonical file format\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/records.md has no section \"The canonical file format\"");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        return [.. Regex.Matches(section, "```json\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(block => block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))];
    }
}
