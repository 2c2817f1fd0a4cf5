namespace SharingHub.Rules.Tests;

public sealed class ChannelAndIdentifierRulesTests
{
    private const string Field = "labels.controlOfficial.channel";

    [Theory]
    [InlineData("ana.ruiz@hpd.example.org")]
    [InlineData("+17135550101")]
    [InlineData("+525512345678")]
    public void Check_EmailOrE164_Accepted(string channel) => Assert.Null(ChannelRules.Check(Field, channel));

    [Theory]
    [InlineData("ask at the front desk")]
    [InlineData("ana@localhost")]
    [InlineData("ana@hpd.example.org, eve@evil.example")]
    [InlineData("<ana@hpd.example.org>")]
    [InlineData("+1 713 555 0101")]   // a phone number, but not in its stored form
    [InlineData("+5215512345678")]
    public void Check_NeitherEmailNorE164_NotAChannel(string channel) =>
        Assert.Equal(RuleCodes.NotAChannel, ChannelRules.Check(Field, channel)?.Code);

    [Fact]
    public void Check_BidiControlInEmail_FormatCharacter() =>
        Assert.Equal(RuleCodes.FormatCharacter, ChannelRules.Check(Field, "ana\u202E@hpd.example.org")?.Code);

    [Theory]
    [InlineData(" Ana.Ruiz@HPD.example.org", "ana.ruiz@hpd.example.org")]
    [InlineData("+1 713 555 0101", "+17135550101")]
    [InlineData("+52 1 55 1234 5678", "+525512345678")]
    public void Normalize_Writings_StoredFormThatPassesCheck(string text, string expected)
    {
        var normalized = ChannelRules.Normalize(text.Trim(), "US");
        Assert.Equal(expected, normalized);
        Assert.Null(ChannelRules.Check(Field, normalized));
    }

    [Fact]
    public void Check_UnknownIdentifierCategory_UnknownCategory()
    {
        var violation = Assert.Single(IdentifierRules.Check("gangName", "X123", null));
        Assert.Equal((Fields.IdentifierCategory, RuleCodes.UnknownCategory), (violation.Field, violation.Code));
    }

    [Theory]
    [InlineData("passport", "G12345678", "MX")]
    [InlineData("driverLicense", "12345678", "US-TX")]
    [InlineData("ssn", "123456789", null)]
    public void Check_KnownIdentifier_Accepted(string category, string id, string? jurisdiction) =>
        Assert.Empty(IdentifierRules.Check(category, id, jurisdiction));

    [Theory]
    [InlineData("A-123", RuleCodes.BadIdentifier)]
    [InlineData("a123", RuleCodes.BadIdentifier)]
    [InlineData("A\u202E123", RuleCodes.FormatCharacter)]
    [InlineData("", RuleCodes.BadIdentifier)]
    public void Check_BadIdentifierId_Rejected(string id, string code) =>
        Assert.Equal(code, Assert.Single(IdentifierRules.Check("passport", id, null)).Code);

    [Fact]
    public void Check_OverLongIdentifier_BadIdentifier() =>
        Assert.Equal(RuleCodes.BadIdentifier, Assert.Single(IdentifierRules.Check("passport", new string('A', RecordLimits.MaxIdentifierLength + 1), null)).Code);

    [Fact]
    public void CanonicalCategory_AnyCase_CanonicalSpelling()
    {
        Assert.Equal("driverLicense", IdentifierRules.CanonicalCategory("DRIVERLICENSE"));
        Assert.Null(IdentifierRules.CanonicalCategory("gangName"));
    }
}
