using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace SharingHub.Rules;

/// <summary>
/// Identifiers of a person: a category from a closed list, an id of letters and digits only (upper case, no
/// separators), and optionally the issuing country or state.
/// </summary>
public static partial class IdentifierRules
{
    /// <summary>
    /// The identifier categories the hub knows, in their canonical (camelCase) spelling. Closed on purpose: a category
    /// is part of the blocking key, so an unknown one would never match and a typo would hide a match.
    /// </summary>
    public static readonly FrozenSet<string> Categories = FrozenSet.ToFrozenSet(
    [
        "passport",      // any country's passport; the jurisdiction names the country
        "driverLicense", // a driver licence; the jurisdiction names the state
        "stateId",       // a state-issued identification card
        "nationalId",    // a national identity card
        "curp",          // Mexico's Clave Única de Registro de Población
        "consularId",    // a consular identification card (matrícula consular)
        "ssn",           // US Social Security number
        "aNumber",       // US alien registration number (A-number)
        "fbiNumber",     // FBI number (UCN)
        "sid",           // state identification number of a criminal record
        "visa",          // a visa number
    ], StringComparer.Ordinal);

    /// <summary>The canonical spelling of <paramref name="category"/> when it names a known category in any case, else null.</summary>
    public static string? CanonicalCategory(string? category) =>
        category is null ? null : Categories.FirstOrDefault(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase));

    /// <summary>Checks one identifier's category, id and jurisdiction; each fault found.</summary>
    public static IEnumerable<RuleViolation> Check(string? category, string? id, string? jurisdiction)
    {
        if (string.IsNullOrEmpty(category))
        {
            yield return new RuleViolation(Fields.IdentifierCategory, RuleCodes.Required, "is required");
        }
        else if (!Categories.Contains(category))
        {
            yield return new RuleViolation(Fields.IdentifierCategory, RuleCodes.UnknownCategory,
                $"is not one of {string.Join(", ", Categories.Order(StringComparer.Ordinal))}");
        }
        if (!string.IsNullOrEmpty(id) && id.Length <= RecordLimits.MaxIdentifierLength && TextRules.CheckCharacters(Fields.IdentifierId, id) is { } characters)
        {
            yield return characters;
        }
        else if (string.IsNullOrEmpty(id) || id.Length > RecordLimits.MaxIdentifierLength || !id.All(char.IsLetterOrDigit)
            || id.Any(char.IsLower))
        {
            yield return new RuleViolation(Fields.IdentifierId, RuleCodes.BadIdentifier,
                $"must have 1 to {RecordLimits.MaxIdentifierLength} upper-case letters or digits");
        }
        if (jurisdiction is not null && !JurisdictionPattern().IsMatch(jurisdiction))
        {
            yield return new RuleViolation(Fields.IdentifierJurisdiction, RuleCodes.BadJurisdiction,
                "must be a country or state code such as MX or US-TX");
        }
    }

    [GeneratedRegex(@"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
    private static partial Regex JurisdictionPattern();
}
