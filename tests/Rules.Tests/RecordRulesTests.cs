using SharingHub.Contracts.V1;

namespace SharingHub.Rules.Tests;

public sealed class RecordRulesTests
{
    private static readonly DateOnly Today = new(2026, 12, 4);

    private static readonly RecordLabels Labels = new()
    {
        Sensitivity = Sensitivity.Open,
        ControlOfficial = new ControlOfficial { PersonFullName = "Det. Ana Ruiz", ContactChannel = "+17135550101" },
    };

    private static PersonRecordPublished Person => new()
    {
        LocalId = "P-1",
        Version = 1,
        PersonRole = PersonRole.Victim,
        PersonGivenName = "María José",
        PersonSurName = "García López",
        PersonBirthDate = new PartialDate { Year = 1988, Month = 3, Day = 14 },
        PersonOtherIdentifications = [new PersonIdentification { IdentificationCategoryText = "passport", IdentificationID = "G123", IdentificationJurisdictionText = "MX" }],
        Labels = Labels,
    };

    private static PhoneRecordPublished Phone => new()
    {
        LocalId = "T-1",
        Version = 1,
        TelephoneNumberFullID = "(713) 555-0199",
        TelephoneNumberE164 = "+17135550199",
        Labels = Labels,
    };

    private static RuleViolation Single(IReadOnlyList<RuleViolation> violations, string field, string code)
    {
        var violation = Assert.Single(violations);
        Assert.Equal((field, code), (violation.Field, violation.Code));
        return violation;
    }

    [Fact]
    public void Check_GoodRecords_NoViolation()
    {
        Assert.Empty(RecordRules.Check(Person, Today));
        Assert.Empty(RecordRules.Check(Phone));
    }

    [Fact]
    public void Check_BirthDateTomorrow_InFuture() =>
        Single(RecordRules.Check(Person with { PersonBirthDate = new PartialDate { Year = 2026, Month = 12, Day = 5 } }, Today), Fields.BirthDate, RuleCodes.InFuture);

    [Fact]
    public void Check_BirthYear1899_TooEarly() =>
        Single(RecordRules.Check(Person with { PersonBirthDate = new PartialDate { Year = 1899 } }, Today), Fields.BirthDate, RuleCodes.TooEarly);

    [Fact]
    public void Check_PartialBirthDateThisMonth_Accepted() =>
        Assert.Empty(RecordRules.Check(Person with { PersonBirthDate = new PartialDate { Year = 2026, Month = 12 } }, Today));

    [Fact]
    public void Check_BidiOverrideInSurname_FormatCharacterOnSurname() =>
        Single(RecordRules.Check(Person with { PersonSurName = "Garc\u202Eía" }, Today), Fields.Surname, RuleCodes.FormatCharacter);

    [Fact]
    public void Check_NulInAlias_ControlCharacterOnAliases() =>
        Single(RecordRules.Check(Person with { PersonAlternateNames = ["Ma\0jo"] }, Today), Fields.Aliases, RuleCodes.ControlCharacter);

    [Fact]
    public void Check_UnknownIdentifierCategory_UnknownCategory() =>
        Single(RecordRules.Check(Person with
        {
            PersonOtherIdentifications = [new PersonIdentification { IdentificationCategoryText = "gangName", IdentificationID = "X1" }],
        }, Today), Fields.IdentifierCategory, RuleCodes.UnknownCategory);

    [Fact]
    public void Check_ChannelNeitherEmailNorPhone_NotAChannel() =>
        Single(RecordRules.Check(Person with
        {
            Labels = Labels with { ControlOfficial = new ControlOfficial { PersonFullName = "Det. Ana Ruiz", ContactChannel = "ask at the desk" } },
        }, Today), Fields.ControlOfficialChannel, RuleCodes.NotAChannel);

    [Theory]
    [InlineData(Fields.CaseRef, RecordLimits.MaxCaseRefLength)]
    [InlineData(Fields.Justification, RecordLimits.MaxJustificationLength)]
    [InlineData(Fields.ControlOfficialName, RecordLimits.MaxControlOfficialNameLength)]
    public void Check_LabelOneOverItsLimit_TooLong(string field, int limit)
    {
        var text = new string('x', limit + 1);
        var labels = field switch
        {
            Fields.CaseRef => Labels with { CaseTrackingID = text },
            Fields.Justification => Labels with { Justification = text },
            _ => Labels with { ControlOfficial = Labels.ControlOfficial with { PersonFullName = text } },
        };
        Single(RecordRules.Check(Person with { Labels = labels }, Today), field, RuleCodes.TooLong);
    }

    [Fact]
    public void Check_OverLongLocalId_TooLongOnLocalId() =>
        Single(RecordRules.Check(Phone with { LocalId = new string('x', RecordLimits.MaxLocalIdLength + 1) }), Fields.LocalId, RuleCodes.TooLong);

    [Fact]
    public void Check_RawNumberDisagreesWithE164_E164Mismatch() =>
        Single(RecordRules.Check(Phone with { TelephoneNumberFullID = "(713) 555-0100" }), Fields.Number, RuleCodes.E164Mismatch);

    [Fact]
    public void Check_OldMexicanMobileFormWrittenWithNewE164_Accepted() =>
        Assert.Empty(RecordRules.Check(Phone with { TelephoneNumberFullID = "+52 1 55 1234 5678", TelephoneNumberE164 = "+525512345678" }));

    [Fact]
    public void Check_SuspectWithoutJustification_RequiredOnJustification() =>
        Single(RecordRules.Check(Person with { PersonRole = PersonRole.Suspect }, Today), Fields.Justification, RuleCodes.Required);

    [Fact]
    public void Check_UndefinedEnumValues_NotAllowed()
    {
        var violations = RecordRules.Check(Person with { PersonRole = (PersonRole)42, Labels = Labels with { Sensitivity = (Sensitivity)9 } }, Today);
        Assert.Equal([(Fields.Role, RuleCodes.NotAllowed), (Fields.Sensitivity, RuleCodes.NotAllowed)], violations.Select(v => (v.Field, v.Code)));
    }

    [Fact]
    public void Check_TooManyAliases_TooMany() =>
        Single(RecordRules.Check(Person with { PersonAlternateNames = [.. Enumerable.Range(0, RecordLimits.MaxAliases + 1).Select(i => new string('a', i + 1))] }, Today),
            Fields.Aliases, RuleCodes.TooMany);

    [Fact]
    public void Check_OperationRadiusOverLimitAndEndBeforeStart_BothReported()
    {
        var start = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var location = new LocationRecordPublished
        {
            LocalId = "OP-1",
            Version = 1,
            LatitudeDegreeValue = 29.76,
            LongitudeDegreeValue = -95.37,
            PlannedOperation = new PlannedOperation { StartDateTime = start, EndDateTime = start, RadiusMeters = RecordLimits.MaxRadiusMeters + 1 },
            Labels = Labels,
        };
        Assert.Equal([(Fields.EndsAt, RuleCodes.BeforeStart), (Fields.RadiusMeters, RuleCodes.OutOfRange)],
            RecordRules.Check(location).Select(v => (v.Field, v.Code)));
    }
}
