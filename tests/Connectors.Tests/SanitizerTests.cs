using SharingHub.Connectors.Sanitizing;
using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Connectors.Tests;

public sealed class SanitizerTests
{
    private static readonly Sanitizer Us = new(SourceRecords.Settings());

    private static T Valid<T>(SourceRecord source, Sanitizer? sanitizer = null)
    {
        var result = (sanitizer ?? Us).Sanitize(source);
        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => $"{p.Field}: {p.Reason}")));
        Assert.Empty(result.Problems);
        return Assert.IsType<T>(result.Record);
    }

    /// <summary>The record is rejected whole (nothing half-filled) with exactly this field at fault.</summary>
    private static Problem Rejected(SourceRecord source, string field, Sanitizer? sanitizer = null)
    {
        var result = (sanitizer ?? Us).Sanitize(source);
        Assert.False(result.IsValid);
        Assert.Null(result.Record);
        var problem = Assert.Single(result.Problems, p => p.Field == field);
        Assert.False(string.IsNullOrWhiteSpace(problem.Reason));
        return problem;
    }

    [Fact]
    public void Sanitize_ValidPerson_KeepsOnlyContractFields()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.Aliases.Add("Majo");
            r.Labels.Confidence = "high";
            r.Labels.CaseRef = "HPD-24-0091";
            r.Labels.ReviewBy = "2027-11-01";
        }));

        Assert.Equal("P-1001", person.LocalId);
        Assert.Equal(1, person.Version);
        Assert.Equal(PersonRole.Victim, person.PersonRole);
        Assert.Equal("María José", person.PersonGivenName);
        Assert.Equal("García López", person.PersonSurName);
        Assert.Equal(["Majo"], person.PersonAlternateNames);
        Assert.Equal(new PartialDate { Year = 1988, Month = 3, Day = 14 }, person.PersonBirthDate);
        Assert.Equal(PersonSex.Female, person.PersonSex);
        Assert.Equal(Sensitivity.Open, person.Labels.Sensitivity);
        Assert.Equal(Confidence.High, person.Labels.Confidence);
        Assert.Equal("Det. Ana Ruiz", person.Labels.ControlOfficial.PersonFullName);
        Assert.Equal("+17135550101", person.Labels.ControlOfficial.ContactChannel);
        Assert.Equal("HPD-24-0091", person.Labels.CaseTrackingID);
        Assert.Equal(new DateOnly(2027, 11, 1), person.Labels.ReviewDate);
    }

    [Fact]
    public void Sanitize_NamesWithRunsOfWhitespace_CollapsedAndTrimmed()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.GivenName = "  María \t  José\u00A0";
            r.Surname = "García\r\n López";
            r.Labels.ControlOfficialName = "  Det.   Ana\tRuiz ";
        }));

        Assert.Equal("María José", person.PersonGivenName);
        Assert.Equal("García López", person.PersonSurName);
        Assert.Equal("Det. Ana Ruiz", person.Labels.ControlOfficial.PersonFullName);
    }

    // These were silently dropped before the record rules were shared; the Gateway refused them. Now both refuse.
    [Theory]
    [InlineData("José\u200B", RuleCodes.FormatCharacter)]
    [InlineData("Jo\u202Esé", RuleCodes.FormatCharacter)]
    [InlineData("Jo\0sé", RuleCodes.ControlCharacter)]
    [InlineData("Jo\u0007sé", RuleCodes.ControlCharacter)]
    public void Sanitize_NameWithHiddenCharacter_RejectedWithTheRulesCode(string name, string code)
    {
        var problem = Rejected(SourceRecords.Person(r => r.GivenName = name), "givenName");

        Assert.Equal(code, problem.Code);
    }

    [Fact]
    public void Sanitize_DecomposedName_PublishedInNfc() =>
        Assert.Equal("José", Valid<PersonRecordPublished>(SourceRecords.Person(r => r.GivenName = "Jose\u0301")).PersonGivenName);

    [Theory]
    [InlineData("GARCÍA LÓPEZ", "García López")]
    [InlineData("garcía lópez", "García López")]
    [InlineData("de la Cruz", "de la Cruz")]
    [InlineData("McDonald", "McDonald")]
    public void Sanitize_NameCase_AllCapsOrAllLowerTitleCasedMixedKept(string surname, string expected)
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.Surname = surname));

        Assert.Equal(expected, person.PersonSurName);
    }

    [Fact]
    public void Sanitize_DecomposedAccents_ComposedToNfc()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.GivenName = "Mari\u0301a"));

        Assert.Equal("Mar\u00EDa", person.PersonGivenName);
    }

    [Fact]
    public void Sanitize_DuplicateAliasesInAnotherCase_KeptOnce()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.Aliases.Add("Majo");
            r.Aliases.Add("  MAJO ");
            r.Aliases.Add("La Güera");
        }));

        Assert.Equal(["Majo", "La Güera"], person.PersonAlternateNames);
    }

    [Theory]
    [InlineData("agencyOnly")]
    [InlineData("AGENCY_ONLY")]
    [InlineData("agency-only")]
    [InlineData(" Agency Only ")]
    public void Sanitize_EnumerationInAnyCaseOrSeparator_Parsed(string sensitivity)
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.Labels.Sensitivity = sensitivity;
            r.Role = "WITNESS";
            r.Kind = "Person";
        }));

        Assert.Equal(Sensitivity.AgencyOnly, person.Labels.Sensitivity);
        Assert.Equal(PersonRole.Witness, person.PersonRole);
    }

    [Theory]
    [InlineData("f", PersonSex.Female)]
    [InlineData("Male", PersonSex.Male)]
    [InlineData("U", PersonSex.Unknown)]
    [InlineData(null, PersonSex.Unknown)]
    public void Sanitize_SexCodes_Parsed(string? sex, PersonSex expected)
    {
        Assert.Equal(expected, Valid<PersonRecordPublished>(SourceRecords.Person(r => r.Sex = sex)).PersonSex);
    }

    [Fact]
    public void Sanitize_EmailChannel_Lowercased()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.Labels.ControlOfficialChannel = " Ana.Ruiz@HPD.example.org "));

        Assert.Equal("ana.ruiz@hpd.example.org", person.Labels.ControlOfficial.ContactChannel);
    }

    [Theory]
    [InlineData("1988-03-14", 1988, 3, 14)]
    [InlineData("1988-03", 1988, 3, null)]
    [InlineData("1988", 1988, null, null)]
    [InlineData(" 1988-03 ", 1988, 3, null)]
    public void Sanitize_FullAndPartialBirthDates_KeepTheirPrecision(string text, int year, int? month, int? day)
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.BirthDate = text));

        Assert.Equal(new PartialDate { Year = year, Month = month, Day = day }, person.PersonBirthDate);
    }

    [Fact]
    public void Sanitize_BirthDateInAgencyFormat_ReadWithTheMappingsDateFormats()
    {
        var sanitizer = new Sanitizer(SourceRecords.Settings(dateFormats: "MM/dd/yyyy"));

        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.BirthDate = "03/14/1988"), sanitizer);

        Assert.Equal(new PartialDate { Year = 1988, Month = 3, Day = 14 }, person.PersonBirthDate);
    }

    [Theory]
    [InlineData("1988-13")]
    [InlineData("1988-02-30")]
    [InlineData("14.03.1988")]
    [InlineData("03/14/1988")]
    [InlineData("last spring")]
    [InlineData("0000-02-10")]
    [InlineData("0000")]
    public void Sanitize_UnparseableBirthDate_RejectedOnBirthDate(string text)
    {
        var problem = Rejected(SourceRecords.Person(r => r.BirthDate = text), "birthDate");

        Assert.DoesNotContain(text, problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-06-16")]
    [InlineData("2026-07")]
    [InlineData("2027")]
    [InlineData("1899-12-31")]
    public void Sanitize_BirthDateInTheFutureOrBefore1900_RejectedOnBirthDate(string text)
    {
        Rejected(SourceRecords.Person(r => r.BirthDate = text), "birthDate");
    }

    [Fact]
    public void Sanitize_BirthDateToday_Accepted()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r => r.BirthDate = "2026-06-15"));

        Assert.Equal(2026, person.PersonBirthDate!.Year);
    }

    [Fact]
    public void Sanitize_UsNumberWithDefaultRegion_E164AndRawFormKept()
    {
        var phone = Valid<PhoneRecordPublished>(SourceRecords.Phone("  (713)  555-0199 "));

        Assert.Equal("+17135550199", phone.TelephoneNumberE164);
        Assert.Equal("(713) 555-0199", phone.TelephoneNumberFullID);
        Assert.Equal("P-1001", phone.SubjectRef);
    }

    [Theory]
    [InlineData("+52 55 4512 7781", "+525545127781")]
    [InlineData("+52 1 55 4512 7781", "+525545127781")]
    [InlineData("011 52 55 4512 7781", "+525545127781")]
    public void Sanitize_MexicanNumberFromUsAgency_E164WithCountryCode52(string number, string expected)
    {
        var phone = Valid<PhoneRecordPublished>(SourceRecords.Phone(number));

        Assert.Equal(expected, phone.TelephoneNumberE164);
        Assert.Equal(number, phone.TelephoneNumberFullID);
    }

    [Fact]
    public void Sanitize_NationalNumberWithMexicanDefaultRegion_ReadAsMexican()
    {
        var mexican = new Sanitizer(SourceRecords.Settings(region: "MX"));

        var phone = Valid<PhoneRecordPublished>(SourceRecords.Phone("55 4512 7781"), mexican);

        Assert.Equal("+525545127781", phone.TelephoneNumberE164);
    }

    [Fact]
    public void Sanitize_SameDigitsInTwoRegions_DifferentNumbers()
    {
        var mexican = new Sanitizer(SourceRecords.Settings(region: "MX"));

        var inUs = Valid<PhoneRecordPublished>(SourceRecords.Phone("713 555 0199"));
        var inMx = Valid<PhoneRecordPublished>(SourceRecords.Phone("713 555 0199"), mexican);

        Assert.Equal("+17135550199", inUs.TelephoneNumberE164);
        Assert.StartsWith("+52", inMx.TelephoneNumberE164, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(868) 204-3719", "+528682043719")]
    [InlineData("52 868 204 3719", "+528682043719")]
    [InlineData("00 52 868 204 3719", "+528682043719")]
    [InlineData("044 868 204 3719", "+528682043719")]
    [InlineData("(956) 287-3410", "+19562873410")]
    public void Sanitize_UsAgencyWithMexicoNeighbour_MexicanWritingsReadInMexico(string number, string expected)
    {
        var border = new Sanitizer(SourceRecords.Settings(region: "US,MX"));

        var phone = Valid<PhoneRecordPublished>(SourceRecords.Phone(number), border);

        Assert.Equal(expected, phone.TelephoneNumberE164);
        Assert.Equal(number, phone.TelephoneNumberFullID);
    }

    [Fact]
    public void Sanitize_UnparseablePhoneWithNeighbour_ReasonNamesBothRegions()
    {
        var problem = Rejected(SourceRecords.Phone("555-0199"), "number", new Sanitizer(SourceRecords.Settings(region: "US,MX")));

        Assert.Contains("default region US, then MX", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("call the landlord")]
    [InlineData("555-0199")]
    [InlineData("+1 713 555 01999999")]
    public void Sanitize_UnparseablePhone_RejectedOnNumberNamingTheRegion(string number)
    {
        var problem = Rejected(SourceRecords.Phone(number), "number");

        Assert.Contains("default region US", problem.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(number, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_PhoneWithoutNumber_RejectedOnNumber()
    {
        Assert.Equal("is required", Rejected(SourceRecords.Phone("  "), "number").Reason);
    }

    [Fact]
    public void Sanitize_PhoneValidity_ParsedAndOpenEndedAllowed()
    {
        var phone = Valid<PhoneRecordPublished>(SourceRecords.Phone(change: r => r.ValidFrom = "2026-01-01"));

        Assert.Equal(new DateOnly(2026, 1, 1), phone.ValidFromDate);
        Assert.Null(phone.ValidToDate);
    }

    [Theory]
    [InlineData("validFrom", "2026-13-01")]
    [InlineData("validTo", "soon")]
    [InlineData("validFrom", "2026-01")]
    public void Sanitize_UnparseableValidityDate_RejectedOnThatField(string field, string text)
    {
        var source = SourceRecords.Phone(change: r =>
        {
            if (field == "validFrom")
            {
                r.ValidFrom = text;
            }
            else
            {
                r.ValidTo = text;
            }
        });

        Assert.Equal("is not a date (yyyy-MM-dd)", Rejected(source, field).Reason);
    }

    [Fact]
    public void Sanitize_ValidToBeforeValidFrom_RejectedOnValidTo()
    {
        Rejected(SourceRecords.Phone(change: r => { r.ValidFrom = "2026-02-01"; r.ValidTo = "2026-01-31"; }), "validTo");
    }

    [Fact]
    public void Sanitize_UnparseableReviewDate_RejectedOnLabelsReviewBy()
    {
        Rejected(SourceRecords.Person(r => r.Labels.ReviewBy = "next year"), "labels.reviewBy");
    }

    [Fact]
    public void Sanitize_MissingControlOfficialName_RejectedOnControlOfficialName()
    {
        var problem = Rejected(SourceRecords.Person(r => r.Labels.ControlOfficialName = " "), "labels.controlOfficial.name");

        Assert.Equal("is required", problem.Reason);
    }

    [Fact]
    public void Sanitize_MissingControlOfficialChannel_RejectedOnControlOfficialChannel()
    {
        Rejected(SourceRecords.Phone(change: r => r.Labels.ControlOfficialChannel = null), "labels.controlOfficial.channel");
    }

    [Fact]
    public void Sanitize_ControlOfficialChannelNeitherPhoneNorEmail_Rejected()
    {
        var problem = Rejected(SourceRecords.Location(r => r.Labels.ControlOfficialChannel = "ask at the front desk"), "labels.controlOfficial.channel");

        Assert.Equal("is neither a phone number nor an email address", problem.Reason);
    }

    [Fact]
    public void Sanitize_MissingSensitivity_RejectedOnSensitivity()
    {
        var problem = Rejected(SourceRecords.Location(r => r.Labels.Sensitivity = null), "labels.sensitivity");

        Assert.Equal("is required", problem.Reason);
    }

    [Fact]
    public void Sanitize_UnknownSensitivity_RejectedListingTheAllowedValues()
    {
        var problem = Rejected(SourceRecords.Person(r => r.Labels.Sensitivity = "secret"), "labels.sensitivity");

        Assert.Equal("is not one of open, agencyOnly, restricted", problem.Reason);
    }

    [Fact]
    public void Sanitize_SuspectWithoutJustification_RejectedOnJustification()
    {
        var problem = Rejected(SourceRecords.Person(r => r.Role = "suspect"), "labels.justification");

        Assert.Contains("28 CFR 23", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_SuspectWithoutJustificationAndWithoutControlOfficial_BothReported()
    {
        var result = Us.Sanitize(SourceRecords.Person(r =>
        {
            r.Role = "suspect";
            r.Labels.ControlOfficialName = null;
        }));

        Assert.Null(result.Record);
        Assert.Equal(["labels.controlOfficial.name", "labels.justification"], result.Problems.Select(p => p.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sanitize_SuspectWithJustification_Valid()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.Role = "suspect";
            r.Labels.Justification = " Subject of trafficking investigation 24-0091 ";
        }));

        Assert.Equal(PersonRole.Suspect, person.PersonRole);
        Assert.Equal("Subject of trafficking investigation 24-0091", person.Labels.Justification);
    }

    [Fact]
    public void Sanitize_VictimWithoutJustification_Valid()
    {
        Assert.Null(Valid<PersonRecordPublished>(SourceRecords.Person(r => r.Role = "victim")).Labels.Justification);
    }

    [Fact]
    public void Sanitize_PersonWithoutNamesOrIdentifiers_RejectedOnSurname()
    {
        Rejected(SourceRecords.Person(r => { r.GivenName = null; r.Surname = ""; }), "surname");
    }

    [Fact]
    public void Sanitize_NameWithDigitsOrSymbols_RejectedWithoutQuotingIt()
    {
        var problem = Rejected(SourceRecords.Person(r => r.GivenName = "Ana <script>"), "givenName");

        Assert.DoesNotContain("script", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_MissingRole_RejectedOnRole()
    {
        Assert.Equal("is required", Rejected(SourceRecords.Person(r => r.Role = null), "role").Reason);
    }

    [Fact]
    public void Sanitize_Identifiers_NormalizedToLettersAndDigits()
    {
        var person = Valid<PersonRecordPublished>(SourceRecords.Person(r =>
        {
            r.Identifiers.Add(new SourceIdentifier("passport", " g-123 456 7 ", "mx"));
            r.Identifiers.Add(new SourceIdentifier("driverLicense", null, "US-TX"));
        }));

        var identifier = Assert.Single(person.PersonOtherIdentifications);
        Assert.Equal("passport", identifier.IdentificationCategoryText);
        Assert.Equal("G1234567", identifier.IdentificationID);
        Assert.Equal("MX", identifier.IdentificationJurisdictionText);
    }

    [Theory]
    [InlineData("Passport Number", "A1", null, "identifiers.category")]
    [InlineData("passport", "A1", "Mexico", "identifiers.jurisdiction")]
    [InlineData("passport", "--", null, "identifiers.id")]
    public void Sanitize_BadIdentifier_RejectedOnItsPart(string category, string id, string? jurisdiction, string field)
    {
        Rejected(SourceRecords.Person(r => r.Identifiers.Add(new SourceIdentifier(category, id, jurisdiction))), field);
    }

    [Theory]
    [InlineData("7", 7L)]
    [InlineData(" 12 ", 12L)]
    [InlineData("2026-01-05T10:00:00Z", 1767607200000L)]
    [InlineData("2026-01-05T04:00:00-06:00", 1767607200000L)]
    [InlineData("2026-01-05 10:00:00+00:00", 1767607200000L)]
    public void Sanitize_VersionAsNumberOrTimestampWithOffset_Parsed(string text, long expected)
    {
        Assert.Equal(expected, Valid<PersonRecordPublished>(SourceRecords.Person(r => r.Version = text)).Version);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("0", "must be 1 or more")]
    [InlineData("-3", "is not a whole number or a timestamp with a UTC offset")]
    [InlineData("1.5", "is not a whole number or a timestamp with a UTC offset")]
    [InlineData("2026-01-05T10:00:00", "is not a whole number or a timestamp with a UTC offset")]
    public void Sanitize_BadVersion_RejectedOnVersion(string? text, string reason)
    {
        Assert.Equal(reason, Rejected(SourceRecords.Person(r => r.Version = text), "version").Reason);
    }

    [Fact]
    public void Sanitize_MissingLocalId_RejectedOnLocalId()
    {
        Rejected(SourceRecords.Phone(change: r => r.LocalId = "\t"), "localId");
    }

    [Fact]
    public void Sanitize_LocalIdTooLong_RejectedOnLocalId()
    {
        Rejected(SourceRecords.Phone(change: r => r.LocalId = new string('x', RecordLimits.MaxLocalIdLength + 1)), "localId");
    }

    [Theory]
    [InlineData("vehicle")]
    [InlineData(null)]
    public void Sanitize_UnknownOrMissingKind_RejectedOnKind(string? kind)
    {
        Rejected(SourceRecords.Person(r => r.Kind = kind), "kind");
    }

    [Fact]
    public void Sanitize_Withdrawal_NeedsOnlyKindLocalIdAndVersion()
    {
        var source = new SourceRecord { Kind = "phone", LocalId = "T-77", Version = "3", Withdrawn = "true" };

        var withdrawn = Valid<RecordWithdrawn>(source);

        Assert.Equal(new RecordWithdrawn { RecordKind = RecordKind.Phone, LocalId = "T-77", Version = 3 }, withdrawn);
    }

    [Fact]
    public void Sanitize_WithdrawnNotABoolean_RejectedOnWithdrawn()
    {
        Rejected(SourceRecords.Person(r => r.Withdrawn = "maybe"), "withdrawn");
    }

    [Fact]
    public void Sanitize_Place_AddressAndCoordinates()
    {
        var location = Valid<LocationRecordPublished>(SourceRecords.Location());

        Assert.Equal("1200 Main St, Houston, TX 77002", location.LocationAddressFullText);
        Assert.Equal(29.753, location.LatitudeDegreeValue);
        Assert.Equal(-95.36, location.LongitudeDegreeValue);
        Assert.Null(location.PlannedOperation);
    }

    [Fact]
    public void Sanitize_LocationWithoutAddressOrCoordinates_RejectedOnAddress()
    {
        Rejected(SourceRecords.Location(r => { r.Address = null; r.Lat = null; r.Lon = null; }), "address");
    }

    [Theory]
    [InlineData("lat", "91")]
    [InlineData("lon", "-180.5")]
    [InlineData("lat", "north")]
    public void Sanitize_CoordinateOutOfRangeOrNotANumber_RejectedOnIt(string field, string value)
    {
        Rejected(SourceRecords.Location(r =>
        {
            if (field == "lat")
            {
                r.Lat = value;
            }
            else
            {
                r.Lon = value;
            }
        }), field);
    }

    [Fact]
    public void Sanitize_LatitudeWithoutLongitude_Rejected()
    {
        Rejected(SourceRecords.Location(r => r.Lon = null), "lon");
    }

    [Fact]
    public void Sanitize_PlannedOperation_WindowAndRadiusInUtc()
    {
        var location = Valid<LocationRecordPublished>(SourceRecords.Operation(r => r.StartsAt = "2026-12-01T04:00:00-06:00"));

        var operation = Assert.IsType<PlannedOperation>(location.PlannedOperation);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), operation.StartDateTime);
        Assert.Equal(TimeSpan.Zero, operation.StartDateTime.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), operation.EndDateTime);
        Assert.Equal(300, operation.RadiusMeters);
    }

    [Fact]
    public void Sanitize_OperationTimeWithoutOffsetAndNoTimeZone_RejectedOnStartsAt()
    {
        var problem = Rejected(SourceRecords.Operation(r => r.StartsAt = "2026-12-01T10:00:00"), "startsAt");

        Assert.Contains("UTC offset", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_OperationTimeWithoutOffset_ReadInTheMappingsTimeZone()
    {
        var houston = new Sanitizer(SourceRecords.Settings(zone: TimeZoneInfo.FindSystemTimeZoneById("America/Chicago")));

        var location = Valid<LocationRecordPublished>(SourceRecords.Operation(r => r.StartsAt = "2026-12-01 04:00"), houston);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), location.PlannedOperation!.StartDateTime);
    }

    [Fact]
    public void Sanitize_OperationTimeWithSpaceAndOffset_ReadWithItsOffset()
    {
        var location = Valid<LocationRecordPublished>(SourceRecords.Operation(r => r.StartsAt = "2026-12-01 10:00:00Z"));

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), location.PlannedOperation!.StartDateTime);
    }

    [Fact]
    public void Sanitize_OperationMissingItsRadius_RejectedOnRadius()
    {
        var problem = Rejected(SourceRecords.Operation(r => r.RadiusMeters = null), "radiusMeters");

        Assert.Equal("a planned operation needs startsAt, endsAt and radiusMeters", problem.Reason);
    }

    [Fact]
    public void Sanitize_OperationEndingBeforeItStarts_RejectedOnEndsAt()
    {
        Rejected(SourceRecords.Operation(r => r.EndsAt = "2026-12-01T09:00:00Z"), "endsAt");
    }

    [Fact]
    public void Sanitize_OperationWithoutCoordinates_RejectedOnLat()
    {
        Rejected(SourceRecords.Operation(r => { r.Address = "1200 Main St"; r.Lat = null; r.Lon = null; }), "lat");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public void Sanitize_OperationRadiusOutOfRange_RejectedOnRadius(string radius)
    {
        Rejected(SourceRecords.Operation(r => r.RadiusMeters = radius), "radiusMeters");
    }

    [Fact]
    public void Sanitize_SeveralProblems_EveryOneReported()
    {
        var result = Us.Sanitize(SourceRecords.Phone("12", r =>
        {
            r.ValidFrom = "bad";
            r.Labels.Sensitivity = null;
        }));

        Assert.Null(result.Record);
        Assert.Equal(["labels.sensitivity", "number", "validFrom"], result.Problems.Select(p => p.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Clean_WhitespaceOnly_Null()
    {
        Assert.Null(Sanitizer.Clean(" \t\r\n\u00A0"));
    }
}
