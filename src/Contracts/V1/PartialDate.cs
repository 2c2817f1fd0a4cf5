namespace SharingHub.Contracts.V1;

/// <summary>
/// A calendar date that may be known only in part: a year, a year and month, or a full date.
/// A <see cref="Day"/> is only given together with a <see cref="Month"/>.
/// </summary>
public sealed record PartialDate
{
    /// <summary>The year (four digits).</summary>
    public required int Year { get; init; }

    /// <summary>The month, 1 to 12, when known.</summary>
    public int? Month { get; init; }

    /// <summary>The day of the month, when known; only given together with <see cref="Month"/>.</summary>
    public int? Day { get; init; }
}
