using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharingHub.Matching.Scoring;

/// <summary>
/// The m and u probabilities of one agreement level: P(level | same person) and P(level | different people),
/// and an optional ceiling on the weight where the independence assumption is known to fail (a household shares
/// an address; a stolen identifier is shared by strangers).
/// </summary>
public sealed record LevelProbabilities(double M, double U, double? MaxWeight = null)
{
    /// <summary>The log-likelihood weight log2(m/u) in bits, capped at <see cref="MaxWeight"/>.</summary>
    [JsonIgnore]
    public double Weight => MaxWeight is { } max ? Math.Min(max, Math.Log2(M / U)) : Math.Log2(M / U);
}

/// <summary>
/// Score thresholds of the bands: score ≥ Match is a match, ≥ Possible a possible match, else none. Both rest on a
/// prior: the chance that a pair is one person before its fields are compared. The weights' u-probabilities are
/// chances between two records drawn from the whole population, so that prior falls as the population grows: of a
/// million person records, a thousand times more strangers share a birth date and a common given name with a new record
/// than of a thousand. The thresholds hold as given up to <paramref name="PopulationReference"/> person records stored;
/// beyond, both rise by log₂(stored / reference) bits (<see cref="PersonScorer.ThresholdShift"/>). ADR-004.
/// </summary>
/// <param name="Match">Score at and above which a pair is a match, in a hub of up to <paramref name="PopulationReference"/> persons.</param>
/// <param name="Possible">Score at and above which a pair is a possible match, likewise.</param>
/// <param name="PopulationReference">Person records up to which the thresholds hold as given (default 10,000).</param>
public sealed record BandThresholds(double Match, double Possible, double PopulationReference = BandThresholds.DefaultPopulationReference)
{
    /// <summary>
    /// The size of the populations on which the shipped thresholds' policy prior (1 in 1,000) was checked: FEBRL's
    /// 5,000 records and the border set's 8,794.
    /// </summary>
    public const double DefaultPopulationReference = 10_000;
}

/// <summary>Where the probabilities came from (EM run, data, date) — documentation carried with the numbers.</summary>
public sealed record ParameterProvenance
{
    public string Method { get; init; } = "expert";

    public string? Data { get; init; }

    public long? Pairs { get; init; }

    public int? Iterations { get; init; }

    /// <summary>EM's estimate of the share of true matches among the candidate pairs.</summary>
    public double? MatchPrior { get; init; }

    public string? Notes { get; init; }
}

/// <summary>
/// The versioned scoring model: per field and level the m/u probabilities (whose log2 ratio is the weight),
/// the comparator thresholds and the band thresholds. Serialized as JSON (camelCase); the library embeds
/// <c>Data/match-parameters.json</c> and a host may load another file with <see cref="Load(string)"/>.
/// Missing values always weigh 0.
/// </summary>
public sealed record MatchParameters
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lazy<MatchParameters> EmbeddedParameters = new(LoadEmbedded);

    /// <summary>Model version, recorded with every stored match so scores can be traced to their weights.</summary>
    public required string Version { get; init; }

    public string? Description { get; init; }

    public ParameterProvenance Provenance { get; init; } = new();

    public required BandThresholds Thresholds { get; init; }

    public ComparatorSettings Comparators { get; init; } = new();

    /// <summary>Bounds of the term-frequency adjustment of name agreement (see <see cref="NameFrequencies"/>).</summary>
    public TermFrequencySettings TermFrequency { get; init; } = new();

    public required IReadOnlyDictionary<MatchField, IReadOnlyDictionary<AgreementLevel, LevelProbabilities>> Fields { get; init; }

    /// <summary>The parameters shipped with the library.</summary>
    public static MatchParameters Default => EmbeddedParameters.Value;

    /// <summary>The weight of <paramref name="level"/> for <paramref name="field"/>; Missing weighs 0.</summary>
    public double WeightOf(MatchField field, AgreementLevel level) =>
        level == AgreementLevel.Missing ? 0 : Fields[field][level].Weight;

    /// <summary>Loads and validates a parameter file.</summary>
    public static MatchParameters Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads and validates parameters from JSON; <paramref name="source"/> names the input in errors.</summary>
    public static MatchParameters Load(Stream json, string source = "parameters")
    {
        MatchParameters? parameters;
        try
        {
            parameters = JsonSerializer.Deserialize<MatchParameters>(json, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidMatchParametersException($"{source}: {exception.Message}", exception);
        }

        if (parameters is null)
        {
            throw new InvalidMatchParametersException($"{source}: the file is empty.");
        }

        parameters.Validate(source);
        return parameters;
    }

    /// <summary>Serializes to the file format.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks every field has every level with 0 &lt; m, u &lt; 1 and that the thresholds are ordered.</summary>
    public void Validate(string source = "parameters")
    {
        if (string.IsNullOrWhiteSpace(Version))
        {
            throw new InvalidMatchParametersException($"{source}: 'version' is required.");
        }

        if (Thresholds is null || !double.IsFinite(Thresholds.Match) || !double.IsFinite(Thresholds.Possible) || Thresholds.Possible > Thresholds.Match)
        {
            throw new InvalidMatchParametersException($"{source}: 'thresholds' needs finite 'match' ≥ 'possible'.");
        }

        if (!double.IsFinite(Thresholds.PopulationReference) || Thresholds.PopulationReference < 1)
        {
            throw new InvalidMatchParametersException($"{source}: 'thresholds.populationReference' must be a number of person records, 1 or more.");
        }

        foreach (var field in Levels.Fields)
        {
            if (Fields is null || !Fields.TryGetValue(field, out var levels))
            {
                throw new InvalidMatchParametersException($"{source}: 'fields.{Camel(field)}' is missing.");
            }

            foreach (var level in Levels.Of(field))
            {
                if (!levels.TryGetValue(level, out var probabilities))
                {
                    throw new InvalidMatchParametersException($"{source}: 'fields.{Camel(field)}.{Camel(level)}' is missing.");
                }

                if (probabilities.M is not (> 0 and < 1) || probabilities.U is not (> 0 and < 1))
                {
                    throw new InvalidMatchParametersException(string.Create(CultureInfo.InvariantCulture,
                        $"{source}: 'fields.{Camel(field)}.{Camel(level)}' needs 0 < m < 1 and 0 < u < 1 (m={probabilities.M}, u={probabilities.U})."));
                }
            }

            foreach (var level in levels.Keys)
            {
                if (!Levels.Of(field).Contains(level))
                {
                    throw new InvalidMatchParametersException($"{source}: 'fields.{Camel(field)}.{Camel(level)}' is not a level of that field.");
                }
            }
        }
    }

    private static string Camel<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static MatchParameters LoadEmbedded()
    {
        using var stream = typeof(MatchParameters).Assembly.GetManifestResourceStream("SharingHub.Matching.match-parameters.json")
            ?? throw new InvalidOperationException("The embedded parameter file is missing from the assembly.");
        return Load(stream, "embedded match-parameters.json");
    }
}

/// <summary>A parameter file that cannot be used; the message names the offending key.</summary>
public sealed class InvalidMatchParametersException : Exception
{
    public InvalidMatchParametersException()
    {
    }

    public InvalidMatchParametersException(string message)
        : base(message)
    {
    }

    public InvalidMatchParametersException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
