using System.Globalization;
using SharingHub.Rules;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// A date that may be known only to the year (<c>1988</c>) or the month (<c>1988-03</c>), as birth dates
/// often are in case files. Accepts ISO forms (<c>1988</c>, <c>1988-03</c>, <c>1988-03-14</c>) and the compact
/// <c>YYYYMMDD</c> / <c>YYYYMM</c> forms. Day-first or month-first local formats are ambiguous and are
/// rejected: connectors must map them to ISO.
/// </summary>
public readonly record struct PartialDate
{
    private PartialDate(int year, int? month, int? day)
    {
        Year = year;
        Month = month;
        Day = day;
    }

    public int Year { get; }

    public int? Month { get; }

    public int? Day { get; }

    /// <summary>True when year, month and day are all known.</summary>
    public bool IsFull => Day.HasValue;

    /// <summary>Creates a validated partial date; a day needs a month, and the day must exist in that month.</summary>
    public static PartialDate Create(int year, int? month = null, int? day = null)
    {
        if (!IsValid(year, month, day))
        {
            throw new ArgumentOutOfRangeException(nameof(year), $"{year}-{month}-{day} is not a valid (partial) date.");
        }

        return new PartialDate(year, month, day);
    }

    /// <summary>Parses a full or partial date; returns false for empty, malformed or impossible dates.</summary>
    public static bool TryParse(string? text, out PartialDate date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        int year;
        int? month = null;
        int? day = null;
        if (span.Length is 4 or 6 or 8 && IsDigits(span))
        {
            year = Number(span[..4]);
            if (span.Length >= 6)
            {
                month = Number(span.Slice(4, 2));
            }

            if (span.Length == 8)
            {
                day = Number(span.Slice(6, 2));
            }
        }
        else if (span.Length is 7 or 10 && span[4] == '-' && IsDigits(span[..4]) && IsDigits(span.Slice(5, 2)) &&
                 (span.Length == 7 || (span[7] == '-' && IsDigits(span.Slice(8, 2)))))
        {
            year = Number(span[..4]);
            month = Number(span.Slice(5, 2));
            if (span.Length == 10)
            {
                day = Number(span.Slice(8, 2));
            }
        }
        else
        {
            return false;
        }

        if (!IsValid(year, month, day))
        {
            return false;
        }

        date = new PartialDate(year, month, day);
        return true;
    }

    /// <summary>Parses or returns null.</summary>
    public static PartialDate? ParseOrNull(string? text) => TryParse(text, out var date) ? date : null;

    /// <summary>The date as compact digits: <c>19880314</c>, <c>198803</c> or <c>1988</c>.</summary>
    public string ToCompactString() =>
        Day is { } d ? string.Create(CultureInfo.InvariantCulture, $"{Year:D4}{Month:D2}{d:D2}")
        : Month is { } m ? string.Create(CultureInfo.InvariantCulture, $"{Year:D4}{m:D2}")
        : Year.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>ISO form: <c>1988-03-14</c>, <c>1988-03</c> or <c>1988</c>.</summary>
    public override string ToString() =>
        Day is { } d ? string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}-{d:D2}")
        : Month is { } m ? string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{m:D2}")
        : Year.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Both dates known (full or partial) and their years at most one apart.</summary>
    internal static bool YearsNear(PartialDate? a, PartialDate? b) => a is { } x && b is { } y && Math.Abs(x.Year - y.Year) <= 1;

    /// <summary>
    /// Compares two birth dates. See <see cref="DateAgreement"/> for the levels; the close level is one
    /// keystroke away (a single digit changed, or two adjacent digits swapped, in <c>YYYYMMDD</c>).
    /// </summary>
    public static DateAgreement Compare(PartialDate? a, PartialDate? b)
    {
        if (a is not { } x || b is not { } y)
        {
            return DateAgreement.Missing;
        }

        if (x.IsFull && y.IsFull)
        {
            if (x == y)
            {
                return DateAgreement.Exact;
            }

            if (x.Year == y.Year && x.Month == y.Day && x.Day == y.Month)
            {
                return DateAgreement.Transposed;
            }

            // Before the keystroke test: 1988 vs 1989 is one keystroke too, but it is the same slip as 1989 vs 1990.
            if (x.Month == y.Month && x.Day == y.Day && Math.Abs(x.Year - y.Year) == 1)
            {
                return DateAgreement.YearOff;
            }

            // Both full, so both are 8 digits (YYYYMMDD): formatted on the stack, compared without allocating.
            Span<char> xDigits = stackalloc char[8];
            Span<char> yDigits = stackalloc char[8];
            return StringSimilarity.WithinOneEdit(x.FullDigits(xDigits), y.FullDigits(yDigits))
                ? DateAgreement.Close
                : DateAgreement.Disagree;
        }

        // At least one side is partial: compare only what both sides know.
        if (x.Year != y.Year)
        {
            return DateAgreement.Disagree;
        }

        if (x.Month is { } xm && y.Month is { } ym && xm != ym)
        {
            return DateAgreement.Disagree;
        }

        return DateAgreement.Partial;
    }

    // ToCompactString of a full date, written into destination (8 characters).
    private Span<char> FullDigits(Span<char> destination)
    {
        Digits(destination[..4], Year);
        Digits(destination.Slice(4, 2), Month!.Value);
        Digits(destination.Slice(6, 2), Day!.Value);
        return destination;

        static void Digits(Span<char> target, int value)
        {
            for (var i = target.Length - 1; i >= 0; i--)
            {
                target[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        }
    }

    // The record rules' own test (calendar date, year from DateRules.MinBirthYear), without their clock: whatever the
    // Gateway stored, the engine reads, and nothing it would refuse gets this far.
    private static bool IsValid(int year, int? month, int? day) => DateRules.IsPlausibleBirthDate(year, month, day);

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static int Number(ReadOnlySpan<char> digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>How two (partial) birth dates agree.</summary>
public enum DateAgreement
{
    /// <summary>Both full and equal.</summary>
    Exact,

    /// <summary>Both full, same year, day and month swapped (14/03 vs 03/14).</summary>
    Transposed,

    /// <summary>Both full, month and day equal, years one apart (1989-03-14 vs 1990-03-14): a clerk's or a form's slip of a year.</summary>
    YearOff,

    /// <summary>Both full, one keystroke apart in YYYYMMDD (one digit changed or two adjacent digits swapped).</summary>
    Close,

    /// <summary>At least one is partial, and every component both know agrees (1988 vs 1988-03-14).</summary>
    Partial,

    /// <summary>They contradict each other.</summary>
    Disagree,

    /// <summary>At least one is unknown.</summary>
    Missing,
}
