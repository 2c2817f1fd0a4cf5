using System.Text.RegularExpressions;

namespace SharingHub.Rules;

/// <summary>
/// A contact channel is an email address or a phone number. Its stored form is the lower-case address or the
/// number's canonical E.164 form; <see cref="Normalize(string?, IReadOnlyList{string})"/> gives that form, <see cref="Check"/> accepts only it.
/// </summary>
public static partial class ChannelRules
{
    private const string NotAChannelMessage = "is neither a phone number nor an email address";

    /// <summary>The stored form of a channel as written (phone numbers read in <paramref name="region"/>), or null.</summary>
    public static string? Normalize(string? text, string region) => Normalize(text, [region]);

    /// <summary>
    /// The stored form of a channel as written (phone numbers read in the default region <paramref name="regions"/>[0],
    /// or a neighbouring one, as <see cref="PhoneRules.TryToE164(string?, IReadOnlyList{string}, out string)"/> does), or null.
    /// </summary>
    public static string? Normalize(string? text, IReadOnlyList<string> regions)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (EmailPattern().IsMatch(text))
        {
            return text.ToLowerInvariant();
        }
        return PhoneRules.TryToE164(text, regions, out var e164) ? e164 : null;
    }

    /// <summary>Checks a stored channel: safe text, and an email address or a canonical E.164 number.</summary>
    public static RuleViolation? Check(string field, string? value)
    {
        if (TextRules.CheckText(field, value, RecordLimits.MaxChannelLength, required: true) is { } text)
        {
            return text;
        }
        return EmailPattern().IsMatch(value!) || PhoneRules.IsCanonicalE164(value)
            ? null
            : NotAChannel(field);
    }

    /// <summary>The violation of a channel that is neither an email address nor a phone number.</summary>
    public static RuleViolation NotAChannel(string field) => new(field, RuleCodes.NotAChannel, NotAChannelMessage);

    // One @, a dot in the domain, and nothing that quotes, comments or separates addresses.
    [GeneratedRegex(@"^[^@\s<>()\[\],;:""\\]+@[^@\s<>()\[\],;:""\\]+\.[^@\s<>()\[\],;:""\\.]+$")]
    private static partial Regex EmailPattern();
}
