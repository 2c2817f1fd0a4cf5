using System.Globalization;
using System.Text.RegularExpressions;
using SharingHub.Contracts.V1;

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
            // Year 0 is no year (and DaysInMonth throws on it).
            return year >= 1
                && month is null or (>= 1 and <= 12)
                && (day is null || (day >= 1 && day <= DateTime.DaysInMonth(year, month!.Value)));
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
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
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

    [GeneratedRegex(@"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2}))?)?$")]
    private static partial Regex PartialIso();
}
