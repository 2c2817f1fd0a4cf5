using static SharingHub.Rules.Tests.HostileInputs;

namespace SharingHub.Rules.Tests;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData(RightToLeftOverride, RuleCodes.FormatCharacter)]
    [InlineData(LeftToRightOverride, RuleCodes.FormatCharacter)]
    [InlineData(ZeroWidthJoiner, RuleCodes.FormatCharacter)]
    [InlineData(ZeroWidthSpace, RuleCodes.FormatCharacter)]
    [InlineData("\uFEFFAna", RuleCodes.FormatCharacter)]
    [InlineData("Ana\u2066Ruiz\u2069", RuleCodes.FormatCharacter)]
    [InlineData(Nul, RuleCodes.ControlCharacter)]
    [InlineData(Escape, RuleCodes.ControlCharacter)]
    [InlineData("Ana\tRuiz", RuleCodes.ControlCharacter)]
    [InlineData(LineSeparator, RuleCodes.ControlCharacter)]
    [InlineData(PrivateUse, RuleCodes.PrivateUse)]
    [InlineData(Unassigned, RuleCodes.Unassigned)]
    [InlineData(Decomposed, RuleCodes.NotNfc)]
    public void CheckName_HostileCharacter_RejectedWithItsCode(string name, string code)
    {
        var violation = TextRules.CheckName("surname", name);

        Assert.NotNull(violation);
        Assert.Equal(("surname", code), (violation.Field, violation.Code));
        Assert.DoesNotContain(name, violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RightToLeftOverride, RuleCodes.FormatCharacter)]
    [InlineData(Nul, RuleCodes.ControlCharacter)]
    [InlineData(PrivateUse, RuleCodes.PrivateUse)]
    [InlineData(Decomposed, RuleCodes.NotNfc)]
    public void CheckText_HostileCharacterInFreeText_RejectedLikeInNames(string text, string code) =>
        Assert.Equal(code, TextRules.CheckText("labels.justification", $"Seen at {text} motel", 1000)?.Code);

    [Fact]
    public void CheckName_LoneSurrogate_Unassigned() =>
        // Not an InlineData: the test runner's serialization would replace the surrogate by U+FFFD.
        Assert.Equal(RuleCodes.Unassigned, TextRules.CheckName("surname", LoneSurrogate)?.Code);

    [Fact]
    public void CheckName_CombiningMarkFlood_TooManyMarks() =>
        Assert.Equal(RuleCodes.TooManyMarks, TextRules.CheckName("givenName", MarkFlood)?.Code);

    [Fact]
    public void CheckName_CombiningMarkFloodNotInNfc_FloodReportedNotForm() =>
        // A flood is a flood whatever its normal form, so the connector (which normalizes first) and the Gateway agree.
        Assert.Equal(RuleCodes.TooManyMarks, TextRules.CheckName("givenName", "Jose" + new string('\u0301', 10))?.Code);

    [Theory]
    [InlineData("Nguyễn")]          // Vietnamese: two marks on one vowel, precomposed
    [InlineData("Ngo\u0323\u0302")] // ... and as base + 2 marks that have no precomposed NFC form together
    [InlineData("María José")]
    [InlineData("O'Brien-Smith")]
    [InlineData("O’Neil")]
    [InlineData("St. John")]
    [InlineData("García López, María")]
    [InlineData("محمد")]
    [InlineData("李小龙")]
    [InlineData("हिन्दी")]
    public void CheckName_RealNames_Accepted(string name) => Assert.Null(TextRules.CheckName("surname", name.Normalize(System.Text.NormalizationForm.FormC)));

    [Theory]
    [InlineData("Ana2")]
    [InlineData("<script>")]
    [InlineData("Ana;DROP")]
    [InlineData("...")]
    [InlineData("\u0301Ana")]
    [InlineData("Ana -\u0301")]
    public void CheckName_NotNameCharacters_NotAName(string name) => Assert.Equal(RuleCodes.NotAName, TextRules.CheckName("surname", name)?.Code);

    [Fact]
    public void CheckName_OneOverTheLimit_TooLong()
    {
        Assert.Null(TextRules.CheckName("surname", new string('a', RecordLimits.MaxNameLength)));
        Assert.Equal(RuleCodes.TooLong, TextRules.CheckName("surname", new string('a', RecordLimits.MaxNameLength + 1))?.Code);
    }

    [Fact]
    public void CheckText_HugeHostileText_TooLongBeforeCharacters() =>
        Assert.Equal(RuleCodes.TooLong, TextRules.CheckText("labels.caseRef", new string('\0', 1_000_000), RecordLimits.MaxCaseRefLength)?.Code);

    [Fact]
    public void CheckText_RequiredAndBlank_Required()
    {
        Assert.Equal(RuleCodes.Required, TextRules.CheckText("localId", null, 128, required: true)?.Code);
        Assert.Equal(RuleCodes.Required, TextRules.CheckText("localId", "   ", 128, required: true)?.Code);
        Assert.Null(TextRules.CheckText("labels.caseRef", null, 64));
    }
}
