namespace SharingHub.Rules;

/// <summary>The size limits of a record's fields, in UTF-16 code units (the database's columns are sized from these).</summary>
public static class RecordLimits
{
    public const int MaxLocalIdLength = 128;
    public const int MaxNameLength = 100;
    public const int MaxAliases = 20;
    public const int MaxIdentifiers = 20;
    public const int MaxIdentifierLength = 64;
    public const int MaxControlOfficialNameLength = 200;
    public const int MaxChannelLength = 200;
    public const int MaxCaseRefLength = 64;
    public const int MaxJustificationLength = 1000;
    public const int MaxAddressLength = 300;
    public const int MaxPhoneLength = 64;
    public const double MaxRadiusMeters = 100_000;

    /// <summary>More combining marks than this on one base character is a flood (Zalgo text), not a script.</summary>
    public const int MaxMarksPerCharacter = 4;
}
