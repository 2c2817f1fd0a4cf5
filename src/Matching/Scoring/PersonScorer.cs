using System.Globalization;
using System.Text;

namespace SharingHub.Matching.Scoring;

/// <summary>The band a score falls in.</summary>
public enum MatchBand
{
    /// <summary>Below the possible threshold: no alert.</summary>
    None,

    /// <summary>Between the thresholds: worth a human look.</summary>
    Possible,

    /// <summary>At or above the match threshold: probably the same person.</summary>
    Match,
}

/// <summary>One line of an explanation: a field, how it agreed, and what that weighed (bits).</summary>
public sealed record FieldContribution(MatchField Field, AgreementLevel Level, double Weight, string? Note = null)
{
    /// <summary>"Surname: phonetic agreement (+6.1)".</summary>
    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Explanation.FieldName(Field)}: {Explanation.LevelName(Level)} ({Weight:+0.0;-0.0;0.0})");
        return Note is null ? text : $"{text}, {Note}";
    }
}

/// <summary>Why a pair scored as it did: one line per field, in a fixed order.</summary>
public sealed class Explanation
{
    internal Explanation(IReadOnlyList<FieldContribution> fields) => Fields = fields;

    public IReadOnlyList<FieldContribution> Fields { get; }

    /// <summary>The contribution of one field.</summary>
    public FieldContribution this[MatchField field] => Fields.First(contribution => contribution.Field == field);

    /// <summary>One line per field, e.g. "Surname: phonetic agreement (+6.1)".</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var field in Fields)
        {
            builder.AppendLine(field.ToString());
        }

        return builder.ToString();
    }

    internal static string FieldName(MatchField field) => field switch
    {
        MatchField.GivenName => "Given name",
        MatchField.Surname => "Surname",
        MatchField.BirthDate => "Date of birth",
        MatchField.Sex => "Sex",
        MatchField.Identifier => "Identifier",
        MatchField.Phone => "Phone",
        MatchField.Address => "Address",
        _ => field.ToString(),
    };

    internal static string LevelName(AgreementLevel level) => level switch
    {
        AgreementLevel.Exact => "exact agreement",
        AgreementLevel.Partial => "partial agreement",
        AgreementLevel.Nickname => "nickname agreement",
        AgreementLevel.Close => "close agreement (typo)",
        AgreementLevel.Phonetic => "phonetic agreement",
        AgreementLevel.Initial => "initial agreement",
        AgreementLevel.Transposed => "day and month transposed",
        AgreementLevel.Disagree => "disagreement",
        AgreementLevel.Missing => "missing on one side",
        _ => level.ToString(),
    };
}

/// <summary>The outcome of scoring a pair of subjects.</summary>
/// <param name="Score">Sum of the field weights (bits of evidence for "same person").</param>
/// <param name="Band">Where the score falls between the thresholds.</param>
/// <param name="Explanation">Each field's level and weight, for the officer.</param>
/// <param name="Vector">The raw agreement levels (stored for re-scoring and EM).</param>
/// <param name="ParametersVersion">The parameter file version that produced the score.</param>
public sealed record PersonMatchResult(double Score, MatchBand Band, Explanation Explanation, ComparisonVector Vector, string ParametersVersion);

/// <summary>Turns comparison vectors into scores, bands and explanations under one <see cref="MatchParameters"/>.</summary>
public sealed class PersonScorer
{
    private readonly double[][] _weights;

    public PersonScorer(MatchParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Parameters = parameters;
        var levelCount = Enum.GetValues<AgreementLevel>().Length;
        _weights = Levels.Fields.Select(field =>
        {
            var row = new double[levelCount];
            foreach (var level in Levels.Of(field))
            {
                row[(int)level] = parameters.WeightOf(field, level);
            }

            return row;
        }).ToArray();
    }

    public MatchParameters Parameters { get; }

    /// <summary>The score alone (the hot path when ranking candidates).</summary>
    public double ScoreOf(ComparisonVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var levels = vector.Levels;
        var score = 0.0;
        for (var field = 0; field < levels.Length; field++)
        {
            score += _weights[field][(int)levels[field]];
        }

        return score;
    }

    public MatchBand BandOf(double score) =>
        score >= Parameters.Thresholds.Match ? MatchBand.Match
        : score >= Parameters.Thresholds.Possible ? MatchBand.Possible
        : MatchBand.None;

    /// <summary>Score, band and explanation of a compared pair.</summary>
    public PersonMatchResult Score(ComparisonVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var contributions = new List<FieldContribution>(Levels.Fields.Count);
        foreach (var field in Levels.Fields)
        {
            var level = vector[field];
            string? note = null;
            if (field is MatchField.GivenName or MatchField.Surname && level != AgreementLevel.Missing)
            {
                note = (vector.NamesSwapped, vector.ViaAlias) switch
                {
                    (true, true) => "given name and surname swapped, via an alias",
                    (true, false) => "given name and surname swapped",
                    (false, true) => "via an alias",
                    (false, false) => null,
                };
            }
            else if (field is MatchField.Phone && level == AgreementLevel.Partial)
            {
                note = "same national number under different country codes (not a shared phone)";
            }

            contributions.Add(new FieldContribution(field, level, Math.Round(_weights[(int)field][(int)level], 2), note));
        }

        // The band is taken from the score as shown, so an officer never sees 12.00 labelled below a 12 threshold.
        var score = Math.Round(ScoreOf(vector), 2);
        return new PersonMatchResult(score, BandOf(score), new Explanation(contributions), vector, Parameters.Version);
    }
}
