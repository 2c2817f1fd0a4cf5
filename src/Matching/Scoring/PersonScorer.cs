using System.Globalization;
using System.Text;
using SharingHub.Matching.Normalization;

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
        AgreementLevel.YearOff => "year one off (month and day agree)",
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

/// <summary>A pair's score and band, without the explanation (<see cref="PersonScorer.QuickScore"/>).</summary>
/// <param name="Score">Sum of the field weights, rounded as <see cref="PersonMatchResult.Score"/> is.</param>
/// <param name="Band">Where the score falls, after the household rule.</param>
public readonly record struct PersonScore(double Score, MatchBand Band);

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
        _exactU = Levels.Fields.Select(field => parameters.Fields[field][AgreementLevel.Exact].U).ToArray();
    }

    private readonly double[] _exactU;

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

    /// <summary>The band of a score in a hub of up to <see cref="BandThresholds.PopulationReference"/> person records.</summary>
    public MatchBand BandOf(double score) => BandOf(score, 0);

    /// <summary>The band of a score, with both thresholds raised by <paramref name="shift"/> bits (<see cref="ThresholdShift"/>).</summary>
    public MatchBand BandOf(double score, double shift) =>
        score >= Parameters.Thresholds.Match + shift ? MatchBand.Match
        : score >= Parameters.Thresholds.Possible + shift ? MatchBand.Possible
        : MatchBand.None;

    /// <summary>
    /// How many bits both thresholds rise in a hub holding <see cref="NameFrequencies.PersonRecords"/> person records:
    /// log₂(records / <see cref="BandThresholds.PopulationReference"/>), 0 up to the reference, rounded to 0.01 as scores
    /// are. The prior that a pair is one person falls in proportion to the population it is drawn from (see
    /// <see cref="BandThresholds"/>); without counts there is no shift.
    /// </summary>
    public double ThresholdShift(NameFrequencies? frequencies) =>
        frequencies is null || frequencies.PersonRecords <= Parameters.Thresholds.PopulationReference
            ? 0
            : Math.Round(Math.Log2(frequencies.PersonRecords / Parameters.Thresholds.PopulationReference), 2);

    /// <summary>Score, band and explanation of a compared pair, without term-frequency adjustment.</summary>
    public PersonMatchResult Score(ComparisonVector vector) => Score(vector, null);

    /// <summary>
    /// Score, band and explanation of a compared pair. With <paramref name="frequencies"/>, agreement on a given name
    /// or surname is weighted by how common its words are (term-frequency adjustment, as Splink does): the level's
    /// weight plus log₂(u / share), where u is the field's exact-agreement u (the chance that two random records agree
    /// on an average name) and share the share of the stored records that hold the agreeing words, bounded by
    /// <see cref="TermFrequencySettings"/>. Then the household rule (<see cref="IsHousehold"/>).
    /// </summary>
    public PersonMatchResult Score(ComparisonVector vector, NameFrequencies? frequencies)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var contributions = new List<FieldContribution>(Levels.Fields.Count);
        var total = 0.0;
        var credited = 0.0;
        foreach (var field in Levels.Fields)
        {
            var level = vector[field];
            var notes = new List<string>(2);
            if (field is MatchField.GivenName or MatchField.Surname && level != AgreementLevel.Missing)
            {
                var note = (vector.NamesSwapped, vector.ViaAlias) switch
                {
                    (true, true) => "given name and surname swapped, via an alias",
                    (true, false) => "given name and surname swapped",
                    (false, true) => "via an alias",
                    (false, false) => null,
                };
                if (note is not null)
                {
                    notes.Add(note);
                }
            }
            else if (field is MatchField.Phone && level == AgreementLevel.Partial)
            {
                notes.Add("same national number under different country codes (not a shared phone)");
            }

            var weight = _weights[(int)field][(int)level];
            if (frequencies is not null && TermFrequencyAdjustment(vector, field, frequencies) is { } adjustment && Math.Abs(adjustment) >= 0.05)
            {
                weight += adjustment;
                credited += adjustment;
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"{(adjustment > 0 ? "rare" : "common")} name ({adjustment:+0.0;-0.0})"));
            }

            if (field == MatchField.Surname && frequencies is not null && !vector.NamesSwapped &&
                FullNamePenalty(vector[MatchField.GivenName], vector[MatchField.Surname], vector.GivenAgreed, vector.SurnameAgreed, credited, frequencies) is < 0 and var penalty)
            {
                weight += penalty;
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"full name held by other records ({penalty:+0.0;-0.0})"));
            }

            total += weight;
            contributions.Add(new FieldContribution(field, level, Math.Round(weight, 2), notes.Count == 0 ? null : string.Join(", ", notes)));
        }

        // The band is taken from the score as shown, so an officer never sees 12.00 labelled below a 12 threshold.
        var score = Math.Round(total, 2);
        var (band, rule) = Ruled(BandOf(score, ThresholdShift(frequencies)), vector.Levels, vector.NamesSwapped, vector.BirthYearsNear);
        if (rule != BandRule.None)
        {
            var (index, text) = rule == BandRule.Household
                ? ((int)MatchField.BirthDate, "household rule: a shared address or phone without a birth date that tells relatives apart; at most Possible")
                : ((int)MatchField.Surname, "names rule: no name agrees and no identifier, phone or address is shared; a birth date alone links no one");
            var line = contributions[index];
            contributions[index] = line with { Note = line.Note is null ? text : $"{line.Note}, {text}" };
        }

        return new PersonMatchResult(score, band, new Explanation(contributions), vector, Parameters.Version);
    }

    /// <summary>
    /// Score and band of two subjects without the explanation and without allocating: what the matcher needs for
    /// each candidate pair, most of which score no band. Equal, bit for bit, to the <see cref="PersonMatchResult.Score"/>
    /// and <see cref="PersonMatchResult.Band"/> of <see cref="Score(ComparisonVector, NameFrequencies?)"/> over
    /// <see cref="PersonComparer.Compare(PersonEvidence, PersonEvidence, NameFrequencies?)"/>: the same comparison runs, and
    /// the same weights are added in the same order (name-frequency keys come precomputed with each word).
    /// </summary>
    public PersonScore QuickScore(PersonComparer comparer, PersonEvidence a, PersonEvidence b, NameFrequencies? frequencies)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Span<AgreementLevel> levels = stackalloc AgreementLevel[_weights.Length];
        var scratch = PersonComparer.Scratch.Current;
        var (swapped, _) = comparer.CompareInto(a, b, frequencies, levels, scratch);
        var total = 0.0;
        var credited = 0.0;
        for (var field = 0; field < levels.Length; field++)
        {
            var level = levels[field];
            var weight = _weights[field][(int)level];
            if (frequencies is not null && field is (int)MatchField.GivenName or (int)MatchField.Surname &&
                TermFrequencyAdjustment((MatchField)field, level, swapped, field == (int)MatchField.GivenName ? scratch.BestGiven : scratch.BestSurname, frequencies) is { } adjustment &&
                Math.Abs(adjustment) >= 0.05)
            {
                weight += adjustment;
                credited += adjustment;
            }

            // Only with full-name counts, which the hub does not keep: a count comparison, no lookup, otherwise.
            if (field == (int)MatchField.Surname && frequencies is { FullRecords: > 0 } && !swapped &&
                FullNamePenalty(levels[(int)MatchField.GivenName], level, Words(scratch.BestGiven), Words(scratch.BestSurname), credited, frequencies) is < 0 and var penalty)
            {
                weight += penalty;
            }

            total += weight;
        }

        var score = Math.Round(total, 2);
        var (band, _) = Ruled(BandOf(score, ThresholdShift(frequencies)), levels, swapped, PartialDate.YearsNear(a.BirthDate, b.BirthDate));
        return new PersonScore(score, band);
    }

    /// <summary>
    /// The household rule (ADR-004): records that share an address or a phone, and whose birth dates contradict each
    /// other, or whose given names agree only in part while the birth date cannot tell them apart, are as likely to be
    /// relatives (a father and his namesake son, sisters "María" and "María Alejandra") as one person. Such a pair is
    /// never more than Possible, however strong its names and home: a human decides. A shared identifier lifts the
    /// rule (relatives do not share one). The same address counts as home when it is the same place or typo-close.
    /// </summary>
    public static bool IsHousehold(ComparisonVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return IsHouseholdLevels(vector.Levels, vector.NamesSwapped, vector.BirthYearsNear);
    }

    private enum BandRule
    {
        None,
        Household,
        NamesApart,
    }

    /// <summary>
    /// The band a score's band becomes under the rules, and the rule that changed it: the household rule caps a Match
    /// at Possible (<see cref="IsHousehold"/>), else the names rule takes any band away (<see cref="IsNamesApart"/>).
    /// Both scoring paths take their band from here, so they cannot disagree.
    /// </summary>
    private static (MatchBand Band, BandRule Rule) Ruled(MatchBand band, ReadOnlySpan<AgreementLevel> levels, bool namesSwapped, bool birthYearsNear) =>
        band == MatchBand.Match && IsHouseholdLevels(levels, namesSwapped, birthYearsNear) ? (MatchBand.Possible, BandRule.Household)
        : band != MatchBand.None && IsNamesApart(levels) ? (MatchBand.None, BandRule.NamesApart)
        : (band, BandRule.None);

    /// <summary>
    /// The names rule (ADR-004): a pair in which no name agrees at any level (read in either order and through every
    /// alias), while at least one is known on both sides, and which shares no identifier, phone or address, takes no
    /// band, whatever its birth date and sex say. Among a million people, a few dozen share each birth date; strangers
    /// who share one, their sex and a given-name initial (the <c>d:</c> blocking key) score Possible on those alone, and
    /// an officer told of them learns nothing. A known alias is compared as a name, so it still links.
    /// </summary>
    private static bool IsNamesApart(ReadOnlySpan<AgreementLevel> vector)
    {
        var given = vector[(int)MatchField.GivenName];
        var surname = vector[(int)MatchField.Surname];
        if (given is not (AgreementLevel.Disagree or AgreementLevel.Missing) || surname is not (AgreementLevel.Disagree or AgreementLevel.Missing) ||
            (given == AgreementLevel.Missing && surname == AgreementLevel.Missing))
        {
            return false;
        }

        return vector[(int)MatchField.Identifier] is not (AgreementLevel.Exact or AgreementLevel.Close) &&
               vector[(int)MatchField.Phone] is not (AgreementLevel.Exact or AgreementLevel.Partial) &&
               vector[(int)MatchField.Address] is not (AgreementLevel.Exact or AgreementLevel.Close or AgreementLevel.Partial);
    }

    private static bool IsHouseholdLevels(ReadOnlySpan<AgreementLevel> vector, bool namesSwapped, bool birthYearsNear)
    {
        var home = vector[(int)MatchField.Address] is AgreementLevel.Exact or AgreementLevel.Close || vector[(int)MatchField.Phone] == AgreementLevel.Exact;
        // An identifier is personal: relatives do not share one, so it settles what the home cannot.
        if (!home || vector[(int)MatchField.Identifier] is AgreementLevel.Exact or AgreementLevel.Close)
        {
            return false;
        }

        var birth = vector[(int)MatchField.BirthDate];
        if (birth == AgreementLevel.Disagree)
        {
            // Dates a year or less apart are slips of one record's date (a year off and a mistyped day), not a father
            // and his son; siblings that close in age do not share a given name. Only when the given names agree in
            // full, read in either slot.
            return !(birthYearsNear && StrongGiven(vector[(int)MatchField.GivenName]) &&
                     (!namesSwapped || StrongGiven(vector[(int)MatchField.Surname])));
        }

        // A partial date that agrees (the same year) still tells a father from his son, and siblings apart but for
        // twins: only a missing one cannot.
        var weakBirth = birth == AgreementLevel.Missing;
        // Read crossed, the given name a record wrote may sit in either slot: the weaker reading decides.
        return weakBirth && (WeakGiven(vector[(int)MatchField.GivenName]) || (namesSwapped && WeakGiven(vector[(int)MatchField.Surname])));
    }

    // TermFrequencyAdjustment on the comparison's agreeing tokens, whose frequency keys are precomputed: the same
    // arithmetic, with Hash(kind, Combination(words)) computed without building the string.
    private double? TermFrequencyAdjustment(MatchField field, AgreementLevel level, bool namesSwapped, List<NameToken> words, NameFrequencies frequencies)
    {
        if (level is not (AgreementLevel.Exact or AgreementLevel.Partial or AgreementLevel.Close or AgreementLevel.Nickname) || words.Count == 0)
        {
            return null;
        }

        var kind = field == MatchField.GivenName ? NameComponentKind.Given : NameComponentKind.Surname;
        var settings = Parameters.TermFrequency;
        if (frequencies.Share(kind, ComponentHash(kind, words), settings.MinRecords) is not { } share)
        {
            return null;
        }

        var other = kind == NameComponentKind.Given ? NameComponentKind.Surname : NameComponentKind.Given;
        if (namesSwapped && frequencies.Share(other, ComponentHash(other, words), settings.MinRecords) is { } crossed)
        {
            share = Math.Max(share, crossed);
        }

        var adjustment = Math.Log2(_exactU[(int)field] / share);
        var maxBonus = level is AgreementLevel.Exact or AgreementLevel.Partial ? settings.MaxBonus : 0;
        return Math.Clamp(adjustment, -settings.MaxPenalty, maxBonus);

        static long ComponentHash(NameComponentKind kind, List<NameToken> words) =>
            words.Count == 1 ? words[0].HashOf(kind) : NameFrequencies.CombinationHash(kind, words);
    }

    /// <summary>
    /// With full-name counts (<see cref="NameFrequencies.FullRecords"/>), what the agreed names may not claim beyond
    /// the full name's own count: when both names agree exactly or in part, the records holding the agreed given and
    /// surname words together, less <see cref="TermFrequencySettings.FullNameLeaveOut"/> taken as the pair's own
    /// person, are other people; if there are any, the names weigh at most log₂(u_given · u_surname / their share),
    /// instead of the <paramref name="credited"/> term-frequency adjustments that assumed the two independent. Zero
    /// (no change) otherwise.
    /// </summary>
    private double FullNamePenalty(AgreementLevel given, AgreementLevel surname, IReadOnlyList<string> givenWords, IReadOnlyList<string> surnameWords,
        double credited, NameFrequencies frequencies)
    {
        var settings = Parameters.TermFrequency;
        if (frequencies.FullRecords < Math.Max(1, settings.MinRecords) || given is not (AgreementLevel.Exact or AgreementLevel.Partial) ||
            surname is not (AgreementLevel.Exact or AgreementLevel.Partial) || givenWords.Count == 0 || surnameWords.Count == 0)
        {
            return 0;
        }

        var others = frequencies.CountOf(NameComponentKind.Full, NameFrequencies.FullName(givenWords, surnameWords)) - settings.FullNameLeaveOut;
        if (others < 1)
        {
            return 0;
        }

        var supported = Math.Log2(_exactU[(int)MatchField.GivenName] * _exactU[(int)MatchField.Surname] * frequencies.FullRecords / others);
        return Math.Min(0, supported - credited);
    }

    private static string[] Words(List<NameToken> tokens) => [.. tokens.Select(t => t.Text)];

    private static bool StrongGiven(AgreementLevel level) =>
        level is AgreementLevel.Exact or AgreementLevel.Nickname or AgreementLevel.Close;

    private static bool WeakGiven(AgreementLevel level) =>
        level is AgreementLevel.Partial or AgreementLevel.Initial or AgreementLevel.Missing or AgreementLevel.Disagree;

    private double? TermFrequencyAdjustment(ComparisonVector vector, MatchField field, NameFrequencies frequencies)
    {
        if (field is not (MatchField.GivenName or MatchField.Surname) ||
            vector[field] is not (AgreementLevel.Exact or AgreementLevel.Partial or AgreementLevel.Close or AgreementLevel.Nickname))
        {
            return null;
        }

        var (words, kind) = field == MatchField.GivenName
            ? (vector.GivenAgreed, NameComponentKind.Given)
            : (vector.SurnameAgreed, NameComponentKind.Surname);
        if (words.Count == 0)
        {
            return null;
        }

        // One word: its share. Several: the share of records holding them all together, which the counts keep per
        // combination (independence would make "Juan Carlos" or "Sánchez Ramírez" look far rarer than they are).
        var settings = Parameters.TermFrequency;
        var component = words.Count == 1 ? words[0] : NameFrequencies.Combination(words);
        if (frequencies.Share(kind, component, settings.MinRecords) is not { } share)
        {
            return null;
        }

        // Read crossed, a record's given-name words sit in the other's surname: the commoner reading counts.
        if (vector.NamesSwapped && frequencies.Share(kind == NameComponentKind.Given ? NameComponentKind.Surname : NameComponentKind.Given,
                component, settings.MinRecords) is { } crossed)
        {
            share = Math.Max(share, crossed);
        }

        // A typo or a nickname names its commoner spelling: enough to tell that the name is common, never that it is
        // rare (two misspellings of "Guadalupe" are each rare), so those levels take the penalty only.
        var adjustment = Math.Log2(_exactU[(int)field] / share);
        var maxBonus = vector[field] is AgreementLevel.Exact or AgreementLevel.Partial ? settings.MaxBonus : 0;
        return Math.Clamp(adjustment, -settings.MaxPenalty, maxBonus);
    }
}
