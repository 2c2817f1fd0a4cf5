namespace SharingHub.Rules.Tests;

public sealed class PhoneRulesTests
{
    [Theory]
    [InlineData("(713) 555-0199", "US", "+17135550199")]
    [InlineData("+52 1 55 1234 5678", "US", "+525512345678")]   // Mexico's old mobile "1"
    [InlineData("+52 55 1234 5678", "US", "+525512345678")]
    [InlineData("+5215512345678", "ZZ", "+525512345678")]
    [InlineData("011 52 55 1234 5678", "US", "+525512345678")]
    [InlineData("55 1234 5678", "MX", "+525512345678")]
    [InlineData("(02) 9876 5432", "AU", "+61298765432")]
    public void TryToE164_Writings_OneE164(string text, string region, string expected)
    {
        Assert.True(PhoneRules.TryToE164(text, region, out var e164));
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("555-0199")]          // local only: no area code
    [InlineData("call me")]
    [InlineData("")]
    [InlineData("12")]
    public void TryToE164_NotAPossibleNumber_False(string text) => Assert.False(PhoneRules.TryToE164(text, "US", out _));

    [Fact]
    public void TryToE164_OverLongText_FalseWithoutParsing() =>
        Assert.False(PhoneRules.TryToE164("+1 713 555 0199" + new string(' ', RecordLimits.MaxPhoneLength), "US", out _));

    [Theory]
    [InlineData("(713) 555-0199", "+17135550199")]
    [InlineData("+52 1 55 1234 5678", "+525512345678")]
    [InlineData("55 1234 5678", "+525512345678")]       // read in the E.164 number's own region
    [InlineData("011 52 55 1234 5678", "+525512345678")] // written with the US international prefix
    [InlineData("0011 1 713 555 0199", "+17135550199")] // written with the Australian one
    public void CheckNumber_WrittenNumberAndItsE164_Agree(string raw, string e164) => Assert.Empty(PhoneRules.CheckNumber(raw, e164));

    [Fact]
    public void CheckNumber_WrittenNumberIsAnotherNumber_E164MismatchOnNumber()
    {
        var violation = Assert.Single(PhoneRules.CheckNumber("(713) 555-0100", "+17135550199"));
        Assert.Equal((Fields.Number, RuleCodes.E164Mismatch), (violation.Field, violation.Code));
    }

    [Fact]
    public void CheckNumber_WrittenTextIsNoNumber_NotAPhone()
    {
        var violation = Assert.Single(PhoneRules.CheckNumber("ask the front desk", "+17135550199"));
        Assert.Equal((Fields.Number, RuleCodes.NotAPhone), (violation.Field, violation.Code));
    }

    [Theory]
    [InlineData("+5215512345678")]  // the old Mexican form is not canonical: it would never meet the new one
    [InlineData("+1 713 555 0199")]
    [InlineData("17135550199")]
    [InlineData("+1555")]
    public void CheckNumber_E164NotCanonical_NotE164(string e164)
    {
        var violation = Assert.Single(PhoneRules.CheckNumber("+52 1 55 1234 5678", e164), v => v.Field == Fields.E164);
        Assert.Equal(RuleCodes.NotE164, violation.Code);
    }

    [Fact]
    public void CheckNumber_HiddenCharacterInWrittenNumber_FormatCharacter()
    {
        // libphonenumber would read past it; the text rule must not.
        var violation = Assert.Single(PhoneRules.CheckNumber("713\u200B555 0199", "+17135550199"));
        Assert.Equal((Fields.Number, RuleCodes.FormatCharacter), (violation.Field, violation.Code));
    }
}
