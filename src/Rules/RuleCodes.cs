namespace SharingHub.Rules;

/// <summary>The reason codes of <see cref="RuleViolation"/>: stable, machine-readable, shared by connector and Gateway.</summary>
public static class RuleCodes
{
    /// <summary>A required value is missing or empty.</summary>
    public const string Required = "required";

    /// <summary>A text is longer than its field allows.</summary>
    public const string TooLong = "too_long";

    /// <summary>A list has more members than its field allows.</summary>
    public const string TooMany = "too_many";

    /// <summary>A text holds a control character (C0/C1, NUL, line or paragraph separators).</summary>
    public const string ControlCharacter = "control_character";

    /// <summary>A text holds an invisible format character: bidi overrides and marks, zero-width joiners, BOM.</summary>
    public const string FormatCharacter = "format_character";

    /// <summary>A text holds a private-use character.</summary>
    public const string PrivateUse = "private_use";

    /// <summary>A text holds an unassigned code point or a lone surrogate.</summary>
    public const string Unassigned = "unassigned";

    /// <summary>A text stacks more combining marks on one character than any script needs.</summary>
    public const string TooManyMarks = "too_many_marks";

    /// <summary>A text is not in Unicode normalization form C.</summary>
    public const string NotNfc = "not_nfc";

    /// <summary>A name holds characters other than letters, marks, spaces, apostrophes, hyphens, periods and commas.</summary>
    public const string NotAName = "not_a_name";

    /// <summary>A value does not parse as, or is not, a valid date.</summary>
    public const string NotADate = "not_a_date";

    /// <summary>A birth date lies before <see cref="DateRules.MinBirthYear"/>.</summary>
    public const string TooEarly = "too_early";

    /// <summary>A birth date lies in the future.</summary>
    public const string InFuture = "in_future";

    /// <summary>An end lies before its start.</summary>
    public const string BeforeStart = "before_start";

    /// <summary>A phone number is not a possible phone number.</summary>
    public const string NotAPhone = "not_a_phone";

    /// <summary>An E.164 value is not a canonical E.164 number.</summary>
    public const string NotE164 = "not_e164";

    /// <summary>The number as written and its E.164 form are different numbers.</summary>
    public const string E164Mismatch = "e164_mismatch";

    /// <summary>A contact channel is neither an email address nor a phone number.</summary>
    public const string NotAChannel = "not_a_channel";

    /// <summary>An identifier category is not on the closed list.</summary>
    public const string UnknownCategory = "unknown_category";

    /// <summary>An identifier is not 1 to 64 letters or digits.</summary>
    public const string BadIdentifier = "bad_identifier";

    /// <summary>A jurisdiction is not a country or state code.</summary>
    public const string BadJurisdiction = "bad_jurisdiction";

    /// <summary>An enumeration value is not one of its members.</summary>
    public const string NotAllowed = "not_allowed";

    /// <summary>A number is outside its field's range, or not a number.</summary>
    public const string OutOfRange = "out_of_range";

    /// <summary>Fields that go together are not given together, or a record lacks what its kind needs.</summary>
    public const string Incomplete = "incomplete";
}
