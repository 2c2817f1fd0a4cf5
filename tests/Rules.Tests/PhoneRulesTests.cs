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

    private static readonly string[] UsAndMexico = ["US", "MX"];

    [Theory]
    [InlineData("(868) 204-3719", "+528682043719")]       // Matamoros, area code only: invalid in the US, valid in Mexico
    [InlineData("868 204 3719", "+528682043719")]
    [InlineData("81 2043 7190", "+528120437190")]         // Monterrey's two-digit area code
    [InlineData("52 868 204 3719", "+528682043719")]      // country code without "+"
    [InlineData("00 52 868 204 3719", "+528682043719")]   // Mexico's (and most of the world's) international prefix
    [InlineData("011 52 868 204 3719", "+528682043719")]  // the North American one
    [InlineData("044 868 204 3719", "+528682043719")]     // old local mobile prefix
    [InlineData("045 81 2043 7190", "+528120437190")]     // old long-distance mobile prefix
    [InlineData("+52 1 868 204 3719", "+528682043719")]   // old mobile "1"
    [InlineData("(956) 287-3410", "+19562873410")]        // valid in the US: read there, although possible in Mexico
    [InlineData("(713) 555-0199", "+17135550199")]
    public void TryToE164_UsWithMexicoNeighbour_MexicanWritingsOneE164(string text, string expected)
    {
        Assert.True(PhoneRules.TryToE164(text, UsAndMexico, out var e164));
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("868 204 3719", "+18682043719")]          // no neighbour: the US reading is kept (possible, not valid)
    [InlineData("52 868 204 3719", null)]                 // 52 is no country code of the agency's
    [InlineData("044 868 204 3719", null)]                // 044 means something only in Mexico
    [InlineData("00 52 868 204 3719", "+528682043719")]   // an international prefix is read whatever the regions
    public void TryToE164_UsOnly_NoMexicanReadingsBeyondInternationalPrefixes(string text, string? expected)
    {
        Assert.Equal(expected is not null, PhoneRules.TryToE164(text, "US", out var e164));
        Assert.Equal(expected ?? "", e164);
    }

    [Fact]
    public void TryToE164_MexicoWithUsNeighbour_UsNumberReadInUs()
    {
        Assert.True(PhoneRules.TryToE164("956 287 3410", ["MX", "US"], out var e164));
        Assert.Equal("+19562873410", e164);
    }

    [Fact]
    public void ParseRegions_List_UpperCaseDistinctDefaultFirst() =>
        Assert.Equal(["US", "MX"], PhoneRules.ParseRegions(["us", " MX", "US"], out _));

    [Theory]
    [InlineData("XX")]
    [InlineData("USA")]
    public void ParseRegions_UnknownRegion_ErrorNamesIt(string region)
    {
        Assert.Null(PhoneRules.ParseRegions(["US", region], out var error));
        Assert.Contains($"'{region}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NationalNumberOf_E164_WithoutCountryCode()
    {
        Assert.Equal("8682043719", PhoneRules.NationalNumberOf("+528682043719"));
        Assert.Equal("8682043719", PhoneRules.NationalNumberOf("+18682043719"));
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
    [InlineData("52 868 204 3719", "+528682043719")]
    [InlineData("00 52 868 204 3719", "+528682043719")]
    [InlineData("044 868 204 3719", "+528682043719")]
    [InlineData("045 81 2043 7190", "+528120437190")]
    [InlineData("868 204 3719", "+528682043719")]
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
