using System.Buffers;
using System.Globalization;
using System.Text;

namespace SharingHub.Rules;

/// <summary>
/// The character rules every text field obeys, and the stricter class of names. A safe text holds no control,
/// format (bidi overrides and marks, zero-width joiners), private-use or unassigned characters and no lone
/// surrogates, stacks at most <see cref="RecordLimits.MaxMarksPerCharacter"/> combining marks on a character, and is
/// in Unicode normalization form C. A name is a safe text of letters, combining marks, spaces, apostrophes,
/// hyphens, periods and commas ("Surname, Given"), with at least one letter.
/// </summary>
public static class TextRules
{
    /// <summary>Checks a text field: <see cref="RuleCodes.Required"/> when empty and <paramref name="required"/>, then length and characters.</summary>
    public static RuleViolation? CheckText(string field, string? value, int maxLength, bool required = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return required ? new RuleViolation(field, RuleCodes.Required, "is required") : null;
        }
        // Length first: a hostile megabyte is refused without being walked.
        if (value.Length > maxLength)
        {
            return new RuleViolation(field, RuleCodes.TooLong, $"is longer than {maxLength} characters");
        }
        if (string.IsNullOrWhiteSpace(value))
        {
            return new RuleViolation(field, RuleCodes.Required, "is blank");
        }
        return CheckCharacters(field, value);
    }

    /// <summary>Checks a name: a safe text of at most <see cref="RecordLimits.MaxNameLength"/> name characters.</summary>
    public static RuleViolation? CheckName(string field, string? value, bool required = false)
    {
        var text = CheckText(field, value, RecordLimits.MaxNameLength, required);
        if (text is not null || string.IsNullOrEmpty(value))
        {
            return text;
        }
        var letters = 0;
        var previous = UnicodeCategory.SpaceSeparator;
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (IsLetter(category))
            {
                letters++;
            }
            // A mark belongs on a letter (or on the marks stacked on one), never on punctuation or nothing.
            else if (IsMark(category) ? !(IsLetter(previous) || IsMark(previous))
                : rune.Value is not (' ' or '\'' or '\u2019' or '-' or '\u2010' or '.' or ','))
            {
                return NotAName(field);
            }
            previous = category;
        }
        return letters == 0 ? NotAName(field) : null;
    }

    /// <summary>The safe-text character checks alone (no length): the first fault found, or null.</summary>
    public static RuleViolation? CheckCharacters(string field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var marks = 0;
        for (var i = 0; i < value.Length;)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != OperationStatus.Done)
            {
                return new RuleViolation(field, RuleCodes.Unassigned, "contains a malformed character (a lone surrogate)");
            }
            i += consumed;
            var category = Rune.GetUnicodeCategory(rune);
            switch (category)
            {
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return new RuleViolation(field, RuleCodes.ControlCharacter, "contains a control character");
                case UnicodeCategory.Format:
                    return new RuleViolation(field, RuleCodes.FormatCharacter,
                        "contains an invisible format character (a bidi control, zero-width joiner or similar)");
                case UnicodeCategory.PrivateUse:
                    return new RuleViolation(field, RuleCodes.PrivateUse, "contains a private-use character");
                case UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate:
                    return new RuleViolation(field, RuleCodes.Unassigned, "contains an unassigned character");
                default:
                    break;
            }
            // A mark at the very start has no base: it counts as one more in the run.
            marks = IsMark(category) ? marks + 1 : 0;
            if (marks > RecordLimits.MaxMarksPerCharacter)
            {
                return new RuleViolation(field, RuleCodes.TooManyMarks,
                    $"stacks more than {RecordLimits.MaxMarksPerCharacter} combining marks on one character");
            }
        }
        // Checked last: IsNormalized needs well-formed text, and a flood is reported as a flood whatever its form.
        return value.IsNormalized(NormalizationForm.FormC)
            ? null
            : new RuleViolation(field, RuleCodes.NotNfc, "is not in Unicode normalization form C");
    }

    private static RuleViolation NotAName(string field) =>
        new(field, RuleCodes.NotAName, "has characters that do not belong in a name");

    private static bool IsLetter(UnicodeCategory category) => category is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
        or UnicodeCategory.OtherLetter;

    private static bool IsMark(UnicodeCategory category) =>
        category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
