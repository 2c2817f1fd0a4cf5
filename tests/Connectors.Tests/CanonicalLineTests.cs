using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Tests;

public sealed class CanonicalLineTests
{
    // The four example lines of DESIGN.md "The canonical file format", verbatim.
    private const string DesignPerson = """{"kind":"person","localId":"P-1001","version":1,"role":"suspect","givenName":"María José","surname":"García López","aliases":["Majo"],"birthDate":"1988-03-14","sex":"F","labels":{"sensitivity":"open","confidence":"high","controlOfficial":{"name":"Det. Ana Ruiz","channel":"+1 713 555 0101"},"caseRef":"HPD-24-0091","justification":"Subject of trafficking investigation 24-0091","reviewBy":"2027-11-01"}}""";
    private const string DesignPhone = """{"kind":"phone","localId":"T-77","version":1,"subjectRef":"P-1001","number":"(713) 555-0199","validFrom":"2026-01-01","labels":{"sensitivity":"open","controlOfficial":{"name":"Det. Ana Ruiz","channel":"+1 713 555 0101"}}}""";
    private const string DesignPlace = """{"kind":"location","localId":"L-5","version":1,"subjectRef":"P-1001","address":"1200 Main St, Houston, TX 77002","lat":29.7530,"lon":-95.3600,"labels":{"sensitivity":"agencyOnly","controlOfficial":{"name":"Det. Ana Ruiz","channel":"+1 713 555 0101"}}}""";
    private const string DesignOperation = """{"kind":"location","localId":"OP-3","version":2,"lat":29.7604,"lon":-95.3698,"radiusMeters":300,"startsAt":"2026-12-01T10:00:00Z","endsAt":"2026-12-01T12:00:00Z","labels":{"sensitivity":"open","controlOfficial":{"name":"Sgt. Lee","channel":"+1 713 555 0123"}}}""";

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
    public void Parse_DesignDocumentExamples_AllSanitizeToValidRecords()
    {
        var records = new[] { DesignPerson, DesignPhone, DesignPlace, DesignOperation }
            .Select(line => Sanitizer.Sanitize(Read(line)))
            .ToList();

        Assert.All(records, r => Assert.True(r.IsValid, string.Join("; ", r.Problems.Select(p => $"{p.Field}: {p.Reason}"))));
        var person = Assert.IsType<PersonRecordPublished>(records[0].Record);
        Assert.Equal("Subject of trafficking investigation 24-0091", person.Labels.Justification);
        Assert.Equal(["Majo"], person.PersonAlternateNames);
        Assert.Equal("+17135550199", Assert.IsType<PhoneRecordPublished>(records[1].Record).TelephoneNumberE164);
        Assert.Equal(Sensitivity.AgencyOnly, Assert.IsType<LocationRecordPublished>(records[2].Record).Labels.Sensitivity);
        Assert.Equal(300, Assert.IsType<LocationRecordPublished>(records[3].Record).PlannedOperation!.RadiusMeters);
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
