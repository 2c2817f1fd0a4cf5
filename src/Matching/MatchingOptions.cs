using System.ComponentModel.DataAnnotations;

namespace SharingHub.Matching;

/// <summary>Settings of the deconfliction rules (bind from configuration section <c>Matching</c>).</summary>
public sealed class MatchingOptions
{
    public const string SectionName = "Matching";

    /// <summary>ISO 3166 region used to read phone numbers written without a country code.</summary>
    [Required]
    [RegularExpression("^[A-Za-z]{2}$")]
    public string DefaultRegion { get; set; } = "US";

    /// <summary>
    /// Neighbouring regions: a number written without a country code, invalid in <see cref="DefaultRegion"/> but valid
    /// in one of these, is read there, as the record rules do (ADR-006). Empty by default.
    /// </summary>
    public IList<string> NeighbourRegions { get; } = [];

    /// <summary>Two places whose points are at most this far apart (metres) are a shared place.</summary>
    [Range(1, 5000)]
    public double SharedPlaceDistanceMeters { get; set; } = 50;

    /// <summary>Extra clearance (metres) demanded between two operations' circles; 0 means they conflict when the circles touch.</summary>
    [Range(0, 50_000)]
    public double OperationBufferMeters { get; set; }

    /// <summary>Extra time demanded between two operations' windows; zero means they conflict when the windows touch.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan OperationBufferTime { get; set; } = TimeSpan.Zero;

    /// <summary>Largest operation radius accepted, in metres.</summary>
    [Range(1, 1_000_000)]
    public double MaxOperationRadiusMeters { get; set; } = 100_000;

    /// <summary>
    /// Optional path of a parameter file (weights and thresholds) that replaces the embedded one; see
    /// <see cref="Scoring.MatchParameters"/>.
    /// </summary>
    public string? ParametersPath { get; set; }
}
