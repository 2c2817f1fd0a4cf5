using System.Globalization;
using System.Text.RegularExpressions;
using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Connectors.Sanitizing;

/// <summary>Reads full and partial dates: ISO 8601 (<c>yyyy</c>, <c>yyyy-MM</c>, <c>yyyy-MM-dd</c>) and an agency's own full-date formats.</summary>
internal static partial class DateParsing
{
    public static bool TryParsePartial(string text, IReadOnlyList<string> formats, out PartialDate date)
    {
        var match = PartialIso().Match(text);
        if (match.Success)
        {
            var year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture);
            int? month = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : null;
            int? day = match.Groups["d"].Success ? int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture) : null;
            date = new PartialDate { Year = year, Month = month, Day = day };
            return DateRules.IsCalendarDate(year, month, day);
        }
        if (TryParseFull(text, formats, out var full))
        {
            date = new PartialDate { Year = full.Year, Month = full.Month, Day = full.Day };
            return true;
        }
        date = new PartialDate { Year = 0 };
        return false;
    }

    public static bool TryParseFull(string text, IReadOnlyList<string> formats, out DateOnly date)
    {
        if (TryParseIso(text, out date))
        {
            return true;
        }
        foreach (var format in formats)
        {
            if (DateOnly.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <c>yyyy-MM-dd</c> by hand: nearly every date is written so, and DateOnly.TryParseExact's general format
    /// machinery (culture-aware literal matching) was a measurable share of the connector's time.
    /// </summary>
    private static bool TryParseIso(string text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    [GeneratedRegex(@"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2}))?)?$")]
    private static partial Regex PartialIso();
}
