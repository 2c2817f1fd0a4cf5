using System.Collections.Frozen;
using PhoneNumbers;

namespace SharingHub.Rules;

/// <summary>
/// The one phone routine: libphonenumber's parse, then the country rules its metadata lacks
/// (<see cref="CountryRules"/>), then "possible number" as the test, so that a new range or a reserved test range
/// (555-01xx) still normalizes. A number written without a country code is read in the caller's region; a number
/// only possible locally (a US number without its area code) has no E.164 form, since "+1" and seven digits would be
/// a wrong number that could match another agency's wrong number.
/// <para>
/// Across a border (issue 11), a number written without "+" is read in this order, the first <em>valid</em> reading
/// winning: the default region; each neighbouring region (a Mexican "899 123 4567" in a US export); an international
/// prefix ("00 52 …", "011 52 …"); a country code of the caller's regions without "+" ("52 899 …"); Mexico's old
/// mobile prefixes "044"/"045" when Mexico is one of the caller's regions. When none is valid, the default region's
/// reading is kept if it is possible, as before.
/// </para>
/// </summary>
public static class PhoneRules
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Country rules keyed by calling code, applied to every parsed number of that code. A country whose numbering
    /// habits libphonenumber does not cover gets a row here, and connector, Gateway and engine all follow it.
    /// </summary>
    private static readonly FrozenDictionary<int, Func<PhoneNumber, PhoneNumber>> CountryRules =
        new Dictionary<int, Func<PhoneNumber, PhoneNumber>>
        {
            [MexicoCountryCode] = WithoutMexicanMobileOne,
        }.ToFrozenDictionary();

    private const int MexicoCountryCode = 52;

    /// <summary>True when <paramref name="region"/> is an ISO 3166-1 region libphonenumber can read numbers in.</summary>
    public static bool IsKnownRegion(string? region) =>
        region is not null && Util.GetSupportedRegions().Contains(region.ToUpperInvariant());

    /// <summary>
    /// Reads <paramref name="text"/> as a phone number, in <paramref name="region"/> when it has no country code
    /// (<c>ZZ</c>: only numbers with one), and gives its E.164 form; false when it cannot be a phone number.
    /// </summary>
    public static bool TryToE164(string? text, string region, out string e164) => TryToE164(text, [region], out e164);

    /// <summary>
    /// Reads <paramref name="text"/> as a phone number: <paramref name="regions"/>[0] is the default region, the
    /// others are neighbouring regions a number invalid in the default one is read in (see the class remarks); false
    /// when it cannot be a phone number.
    /// </summary>
    public static bool TryToE164(string? text, IReadOnlyList<string> regions, out string e164)
    {
        ArgumentNullException.ThrowIfNull(regions);
        e164 = "";
        if (regions.Count == 0 || Parse(text, regions) is not { } number)
        {
            return false;
        }
        e164 = Util.Format(number, PhoneNumberFormat.E164);
        return true;
    }

    /// <summary>
    /// Reads a region list as configured (<c>US,MX</c>, or <c>["US", "MX"]</c> split by the caller): upper case,
    /// distinct, the first the default; null with <paramref name="error"/> set when one is not a region
    /// libphonenumber knows or the list is empty.
    /// </summary>
    public static IReadOnlyList<string>? ParseRegions(IEnumerable<string> regions, out string? error)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var result = new List<string>();
        foreach (var raw in regions)
        {
            var region = raw.Trim().ToUpperInvariant();
            if (!IsKnownRegion(region))
            {
                error = $"'{raw.Trim()}' is not an ISO 3166-1 alpha-2 region with a phone numbering plan";
                return null;
            }
            if (!result.Contains(region, StringComparer.Ordinal))
            {
                result.Add(region);
            }
        }
        error = result.Count == 0 ? "at least one region is required" : null;
        return error is null ? result : null;
    }

    /// <summary>The national significant number of an E.164 number (<c>+528991234567</c> → <c>8991234567</c>), or null.</summary>
    public static string? NationalNumberOf(string? e164) =>
        Read(e164, "ZZ") is { } number ? Util.GetNationalSignificantNumber(number) : null;

    /// <summary>Checks that <paramref name="e164"/> is a possible number in canonical E.164 form.</summary>
    public static RuleViolation? CheckE164(string field, string? e164)
    {
        if (string.IsNullOrEmpty(e164))
        {
            return new RuleViolation(field, RuleCodes.Required, "is required");
        }
        return IsCanonicalE164(e164) ? null : new RuleViolation(field, RuleCodes.NotE164, "is not a phone number in E.164 form");
    }

    /// <summary>True when <paramref name="text"/> is exactly the E.164 form of a possible number (<c>+17135550199</c>).</summary>
    public static bool IsCanonicalE164(string? text) =>
        text is { Length: >= 8 and <= 16 } && text[0] == '+' && TryToE164(text, "ZZ", out var canonical)
        && string.Equals(canonical, text, StringComparison.Ordinal);

    /// <summary>
    /// Checks a phone record's number as written (<see cref="Fields.Number"/>) against its E.164 form
    /// (<see cref="Fields.E164"/>): both present, the E.164 form canonical, and the written number the same number.
    /// The written number is read in the E.164 number's own region, so the check needs no knowledge of the
    /// connector's region; a number written with a foreign international prefix ("011 52 …", "0011 1 …") agrees when
    /// its digits end with the E.164 number's national digits.
    /// </summary>
    public static IReadOnlyList<RuleViolation> CheckNumber(string? raw, string? e164)
    {
        var violations = new List<RuleViolation>(2);
        if (TextRules.CheckText(Fields.Number, raw, RecordLimits.MaxPhoneLength, required: true) is { } text)
        {
            violations.Add(text);
        }
        if (CheckE164(Fields.E164, e164) is { } form)
        {
            violations.Add(form);
        }
        if (violations.Count > 0)
        {
            return violations;
        }

        var number = Parse(e164, "ZZ")!;
        var region = Util.GetRegionCodeForCountryCode(number.CountryCode);
        if (Parse(raw, region) is not { } written)
        {
            return DigitsAgree(raw!, Util.GetNationalSignificantNumber(number)) ? []
                : [new RuleViolation(Fields.Number, RuleCodes.NotAPhone, "is not a phone number")];
        }
        return Util.Format(written, PhoneNumberFormat.E164) == e164 || DigitsAgree(raw!, Util.GetNationalSignificantNumber(number))
            ? []
            : [new RuleViolation(Fields.Number, RuleCodes.E164Mismatch, "is a different number than its E.164 form")];
    }

    private static PhoneNumber? Parse(string? text, string region) => Parse(text, [region]);

    private static PhoneNumber? Parse(string? text, IReadOnlyList<string> regions)
    {
        var local = Read(text, regions[0]);
        if (local is not null && (text!.TrimStart().StartsWith('+') || Util.IsValidNumber(local)))
        {
            return local;
        }
        return ReadAcrossBorder(text, regions) ?? local;
    }

    /// <summary>The first valid reading of a number that is not valid in the default region, or null.</summary>
    private static PhoneNumber? ReadAcrossBorder(string? text, IReadOnlyList<string> regions)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > RecordLimits.MaxPhoneLength || text.TrimStart().StartsWith('+')
            || text.Any(char.IsLetter))
        {
            return null;
        }
        for (var i = 1; i < regions.Count; i++)
        {
            if (Read(text, regions[i]) is { } neighbour && Util.IsValidNumber(neighbour))
            {
                return neighbour;
            }
        }

        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        // "00 52 …" (most of the world, Mexico included) and "011 52 …" (North America): an international prefix.
        foreach (var prefix in InternationalPrefixes)
        {
            if (digits.StartsWith(prefix, StringComparison.Ordinal) && Valid("+" + digits[prefix.Length..]) is { } dialled)
            {
                return dialled;
            }
        }
        // "52 899 …": a country code of one of the caller's regions, without its "+".
        if (Valid("+" + digits) is { } withCode
            && regions.Any(region => Util.GetCountryCodeForRegion(region) == withCode.CountryCode))
        {
            return withCode;
        }
        // "044 899 …" / "045 81 …": Mexico's mobile prefixes before 2019 (044 local, 045 long distance), then ten digits.
        if (regions.Contains(MexicoRegion, StringComparer.Ordinal) && digits.Length == 13
            && (digits.StartsWith("044", StringComparison.Ordinal) || digits.StartsWith("045", StringComparison.Ordinal))
            && Valid("+52" + digits[3..]) is { } mobile)
        {
            return mobile;
        }
        return null;
    }

    private static readonly string[] InternationalPrefixes = ["011", "00"];

    private const string MexicoRegion = "MX";

    private static PhoneNumber? Valid(string international) =>
        Read(international, "ZZ") is { } number && Util.IsValidNumber(number) ? number : null;

    private static PhoneNumber? Read(string? text, string region)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > RecordLimits.MaxPhoneLength)
        {
            return null;
        }
        PhoneNumber number;
        try
        {
            number = Util.Parse(text, region);
        }
        catch (NumberParseException)
        {
            return null;
        }
        if (CountryRules.TryGetValue(number.CountryCode, out var rule))
        {
            number = rule(number);
        }
        return Util.IsPossibleNumberWithReason(number) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE ? number : null;
    }

    /// <summary>
    /// Mexico dropped the mobile "1" after +52 in 2019/2020; older exports still write +52 1 55 …. It is the same
    /// line, and must give the same E.164 for a US and a Mexican agency to meet on it.
    /// </summary>
    private static PhoneNumber WithoutMexicanMobileOne(PhoneNumber number) =>
        Util.IsPossibleNumberWithReason(number) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE
        && number.NationalNumber is >= 10_000_000_000 and < 20_000_000_000
            ? new PhoneNumber.Builder().MergeFrom(number).SetNationalNumber(number.NationalNumber - 10_000_000_000).Build()
            : number;

    // At most an international prefix, a country code and a mobile "1" before the national digits.
    private const int MaxDigitsBeforeNationalNumber = 8;

    private static bool DigitsAgree(string raw, string nationalDigits)
    {
        if (raw.Any(char.IsLetter))
        {
            return false;
        }
        var digits = new string([.. raw.Where(char.IsAsciiDigit)]);
        return digits.EndsWith(nationalDigits, StringComparison.Ordinal) && digits.Length - nationalDigits.Length <= MaxDigitsBeforeNationalNumber;
    }
}
