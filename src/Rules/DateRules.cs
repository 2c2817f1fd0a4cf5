namespace SharingHub.Rules;

/// <summary>
/// Date rules. A (partial) date is a year, a year and month, or a full date, that exists in the calendar. A birth
/// date lies between <see cref="MinBirthYear"/> and today, today being whatever the caller's clock says: the rules
/// read no clock. A partial birth date is in the future only when its first possible day is.
/// </summary>
public static class DateRules
{
    /// <summary>The one lower bound of a birth year, for connector, Gateway and engine alike.</summary>
    public const int MinBirthYear = 1900;

    /// <summary>The largest year a (partial) date can hold (four digits).</summary>
    public const int MaxYear = 9999;

    /// <summary>True when the parts make a date of the calendar: a day only with a month, and one the month has.</summary>
    public static bool IsCalendarDate(int year, int? month, int? day)
    {
        if (year is < 1 or > MaxYear)
        {
            return false;
        }
        if (month is null)
        {
            return day is null;
        }
        if (month is < 1 or > 12)
        {
            return false;
        }
        return day is null || (day >= 1 && day <= DateTime.DaysInMonth(year, month.Value));
    }

    /// <summary>
    /// True when the parts can be a birth date of someone alive in any record: a calendar date from
    /// <see cref="MinBirthYear"/> on. The engine, which has no clock, accepts exactly these.
    /// </summary>
    public static bool IsPlausibleBirthDate(int year, int? month, int? day) => year >= MinBirthYear && IsCalendarDate(year, month, day);

    /// <summary>Checks a (partial) birth date against the calendar, <see cref="MinBirthYear"/> and <paramref name="today"/>.</summary>
    public static RuleViolation? CheckBirthDate(string field, int year, int? month, int? day, DateOnly today)
    {
        if (!IsCalendarDate(year, month, day))
        {
            return new RuleViolation(field, RuleCodes.NotADate, "is not a date (yyyy, yyyy-MM or yyyy-MM-dd)");
        }
        if (year < MinBirthYear)
        {
            return new RuleViolation(field, RuleCodes.TooEarly, $"is before {MinBirthYear}");
        }
        var firstPossibleDay = new DateOnly(year, month ?? 1, day ?? 1);
        return firstPossibleDay > today ? new RuleViolation(field, RuleCodes.InFuture, "is in the future") : null;
    }

    /// <summary>Checks that an end day is not before its start day (both optional).</summary>
    public static RuleViolation? CheckOrder(string endField, DateOnly? start, DateOnly? end, string startField) =>
        start is { } from && end is { } to && to < from
            ? new RuleViolation(endField, RuleCodes.BeforeStart, $"is before {startField}")
            : null;
}
