namespace SharingHub.Matching.Rules;

/// <summary>
/// An inclusive range of days; a null end is open (still in use, or known since forever). A phone's
/// <c>validTo</c> is the last day the number was known in use, so ranges that share a day overlap.
/// </summary>
public readonly record struct DateRange(DateOnly? From, DateOnly? To)
{
    public static DateRange Unbounded => default;

    /// <summary>True when the two ranges share at least one day.</summary>
    public bool Overlaps(DateRange other) =>
        (From is null || other.To is null || From <= other.To) && (other.From is null || To is null || other.From <= To);

    /// <summary>The shared days, or null when disjoint.</summary>
    public DateRange? Intersect(DateRange other)
    {
        if (!Overlaps(other))
        {
            return null;
        }

        var from = From is null ? other.From : other.From is null ? From : (From > other.From ? From : other.From);
        var to = To is null ? other.To : other.To is null ? To : (To < other.To ? To : other.To);
        return new DateRange(from, to);
    }

    public override string ToString() => $"{From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "…"} – {To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "…"}";
}

/// <summary>
/// A closed time interval; a null end is open. Closed on purpose: an operation that ends at 12:00 and one that
/// starts at 12:00 are both on the ground at 12:00, so they conflict.
/// </summary>
public readonly record struct TimeWindow(DateTimeOffset? From, DateTimeOffset? To)
{
    public static TimeWindow Unbounded => default;

    /// <summary>True when the windows share at least one instant (touching counts).</summary>
    public bool Overlaps(TimeWindow other) =>
        (From is null || other.To is null || From <= other.To) && (other.From is null || To is null || other.From <= To);

    /// <summary>The windows widened by <paramref name="buffer"/> on each side.</summary>
    public TimeWindow Widen(TimeSpan buffer) => new(From - buffer, To + buffer);

    /// <summary>The shared instants, or null when disjoint.</summary>
    public TimeWindow? Intersect(TimeWindow other)
    {
        if (!Overlaps(other))
        {
            return null;
        }

        var from = From is null ? other.From : other.From is null ? From : (From > other.From ? From : other.From);
        var to = To is null ? other.To : other.To is null ? To : (To < other.To ? To : other.To);
        return new TimeWindow(from, to);
    }
}
