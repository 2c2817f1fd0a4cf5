namespace SharingHub.Rules.Tests;

public sealed class DateRulesTests
{
    private static readonly DateOnly Today = new(2026, 12, 4);

    [Theory]
    [InlineData(1988, 3, 14)]
    [InlineData(1988, 3, null)]
    [InlineData(1988, null, null)]
    [InlineData(1900, 1, 1)]
    [InlineData(2026, 12, 4)]
    [InlineData(2026, 12, null)]
    [InlineData(2026, null, null)]
    public void CheckBirthDate_FromTheLowerBoundToToday_Accepted(int year, int? month, int? day) =>
        Assert.Null(DateRules.CheckBirthDate("birthDate", year, month, day, Today));

    [Theory]
    [InlineData(2026, 12, 5)]   // tomorrow
    [InlineData(2027, null, null)]
    [InlineData(2027, 1, null)]
    [InlineData(9999, 12, 31)]
    public void CheckBirthDate_InTheFuture_InFuture(int year, int? month, int? day) =>
        Assert.Equal(RuleCodes.InFuture, DateRules.CheckBirthDate("birthDate", year, month, day, Today)?.Code);

    [Theory]
    [InlineData(1899, 12, 31)]
    [InlineData(1899, null, null)]
    [InlineData(1800, 1, 1)]
    public void CheckBirthDate_BeforeTheLowerBound_TooEarly(int year, int? month, int? day) =>
        Assert.Equal(RuleCodes.TooEarly, DateRules.CheckBirthDate("birthDate", year, month, day, Today)?.Code);

    [Theory]
    [InlineData(1988, 2, 30)]
    [InlineData(1988, 13, null)]
    [InlineData(1988, null, 14)]
    [InlineData(0, null, null)]
    [InlineData(10000, null, null)]
    public void CheckBirthDate_NotACalendarDate_NotADate(int year, int? month, int? day) =>
        Assert.Equal(RuleCodes.NotADate, DateRules.CheckBirthDate("birthDate", year, month, day, Today)?.Code);

    [Fact]
    public void IsPlausibleBirthDate_EverythingTheRulesAcceptToday_AcceptedWithoutAClock()
    {
        // The engine has no clock: it must read every date the rules let through, and no date they refuse for its year.
        Assert.True(DateRules.IsPlausibleBirthDate(Today.Year, Today.Month, Today.Day));
        Assert.True(DateRules.IsPlausibleBirthDate(DateRules.MinBirthYear, null, null));
        Assert.False(DateRules.IsPlausibleBirthDate(DateRules.MinBirthYear - 1, 12, 31));
    }

    [Fact]
    public void CheckOrder_EndBeforeStart_BeforeStart()
    {
        Assert.Equal(RuleCodes.BeforeStart, DateRules.CheckOrder("validTo", new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 31), "validFrom")?.Code);
        Assert.Null(DateRules.CheckOrder("validTo", new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 1), "validFrom"));
        Assert.Null(DateRules.CheckOrder("validTo", null, new DateOnly(2026, 2, 1), "validFrom"));
    }
}
