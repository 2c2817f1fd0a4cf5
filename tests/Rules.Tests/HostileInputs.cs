namespace SharingHub.Rules.Tests;

/// <summary>Hostile and borderline texts, by what is wrong with them.</summary>
internal static class HostileInputs
{
    public const string RightToLeftOverride = "Ana\u202EziuR";
    public const string LeftToRightOverride = "Ana\u202DRuiz";
    public const string ZeroWidthJoiner = "An\u200Da";
    public const string ZeroWidthSpace = "An\u200Ba";
    public const string Nul = "Gar\0cía";
    public const string Escape = "Ana\u001B[31m";
    public const string PrivateUse = "Ana\uE000";
    public const string Unassigned = "Ana\u0378";
    public const string LoneSurrogate = "Ana\uD800";
    public const string LineSeparator = "Ana\u2028Ruiz";
    public static readonly string MarkFlood = "Ana" + new string('\u0301', 30);

    /// <summary>"José" with its accent as a separate combining mark (NFD): fine once normalized, refused as is.</summary>
    public const string Decomposed = "Jose\u0301";
}
