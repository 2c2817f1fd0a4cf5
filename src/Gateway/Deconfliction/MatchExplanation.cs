using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharingHub.Gateway.Data;
using SharingHub.Matching.Rules;
using SharingHub.Matching.Scoring;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>Whose data an explanation line reveals to a reader of the match.</summary>
public enum Disclosure
{
    /// <summary>Nothing about either record beyond the fact of the match (e.g. the rule's name).</summary>
    Nothing,

    /// <summary>Something about the counterpart's record: how its fields compare with the reader's, or its values.</summary>
    Counterpart,
}

/// <summary>One line of why two records match: a field, how it agreed, what it weighed, and whose data that reveals.</summary>
/// <param name="Field">The field (<c>Surname</c>, <c>Phone</c>, <c>Area</c>…).</param>
/// <param name="Level">How it agreed (<c>Exact</c>, <c>Phonetic</c>, <c>Missing</c>…).</param>
/// <param name="Weight">Person identity: the field's weight in bits; null for rule-based hits.</param>
/// <param name="Text">The line in words, for an officer.</param>
/// <param name="Discloses">What a reader learns about the other record from this line.</param>
public sealed record ExplanationLine(string Field, string Level, double? Weight, string Text, Disclosure Discloses);

/// <summary>
/// Why a match holds, typed: a summary and lines, each saying whose data it reveals, so the API can show a reader only
/// what the other record's sensitivity releases. Stored as the match's <c>explanation</c> (jsonb).
/// </summary>
/// <param name="Summary">One sentence; it reveals the counterpart's data as the lines do.</param>
/// <param name="Lines">Per field (person identity) or per rule (phones, places, operations).</param>
public sealed record MatchExplanation(string Summary, IReadOnlyList<ExplanationLine> Lines)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The explanation as stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Reads a stored explanation. Rows written before the typed form (a <c>summary</c> and free-form details) read
    /// as their summary alone, which reveals the counterpart; they are rewritten at their next scoring.
    /// </summary>
    public static MatchExplanation FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize(json, StoredExplanationJson.Default.StoredExplanation);
        return new MatchExplanation(stored?.Summary ?? "", stored?.Lines ?? []);
    }

    /// <summary>
    /// <see cref="FromJson"/>, kept for the next reader: a stored explanation is a value (the same text always reads
    /// the same), and every match shown reads one, so pages read again are not parsed again. At most
    /// <see cref="MaxKept"/> are kept; the set is then started afresh.
    /// </summary>
    public static MatchExplanation Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Kept.TryGet(json, out var known))
        {
            return known;
        }
        var read = FromJson(json);
        Kept.Add(json, read);
        return read;
    }

    private const int MaxKept = 4096;

    private static readonly BoundedCache<string, MatchExplanation> Kept = new(MaxKept, StringComparer.Ordinal);

    /// <summary>A person-identity score, line by line.</summary>
    public static MatchExplanation ForPersons(PersonMatchResult result, string band)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new MatchExplanation(
            string.Create(CultureInfo.InvariantCulture, $"Score {result.Score:0.00} bits: {band}."),
            [.. result.Explanation.Fields.Select(f => new ExplanationLine(
                f.Field.ToString(), f.Level.ToString(), f.Weight, f.ToString(), Disclosure.Counterpart))]);
    }

    /// <summary>A shared phone: the number and the period both records had it.</summary>
    public static MatchExplanation ForPhone(SharedPhoneHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var text = hit.Describe();
        return new MatchExplanation(text, [new ExplanationLine("Phone", "Exact", null, text, Disclosure.Counterpart)]);
    }

    /// <summary>A shared place: the same address, or points close together.</summary>
    public static MatchExplanation ForPlace(SharedPlaceHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var text = hit.Describe();
        var level = hit.Reason == SharedPlaceReason.SameAddress ? "SameAddress" : "NearbyPoints";
        return new MatchExplanation(text, [new ExplanationLine("Place", level, null, text, Disclosure.Counterpart)]);
    }

    /// <summary>Two planned operations overlapping in area and time.</summary>
    public static MatchExplanation ForOperations(OperationConflictHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var text = hit.Describe();
        return new MatchExplanation(text,
        [
            new ExplanationLine("Area", hit.ClearanceMeters <= 0 ? "Overlap" : "WithinBuffer", null, text, Disclosure.Counterpart),
            new ExplanationLine("Window", "Overlap", null, "Their time windows overlap.", Disclosure.Counterpart),
        ]);
    }

    /// <summary>A subject's place inside another agency's planned operation.</summary>
    public static MatchExplanation ForSubjectInOperation(SubjectInOperationHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var text = hit.Describe();
        return new MatchExplanation(text, [new ExplanationLine("Area", "Inside", null, text, Disclosure.Counterpart)]);
    }

}

/// <summary>A stored explanation as read (older rows may lack the lines).</summary>
internal sealed record StoredExplanation(string? Summary, List<ExplanationLine>? Lines);

/// <summary>
/// Reads stored explanations without reflection: every match shown through the API reads one, so this is on the
/// inbox query's hot path. The options are those <see cref="MatchExplanation.ToJson"/> writes with.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(StoredExplanation))]
internal sealed partial class StoredExplanationJson : JsonSerializerContext;
