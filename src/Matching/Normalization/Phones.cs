using PhoneNumbers;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// Normalizes phone numbers to E.164 with libphonenumber. Numbers written without a country code are read in
/// the default region (ISO 3166 alpha-2, e.g. <c>US</c>). Numbers are accepted when their length is possible for
/// the region, not only when the current metadata says the range is assigned, so that a new range or a
/// reserved test range (555-01xx) still normalizes.
/// </summary>
public sealed class PhoneNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public PhoneNormalizer(string defaultRegion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultRegion);
        if (!Util.GetSupportedRegions().Contains(defaultRegion.ToUpperInvariant()))
        {
            throw new ArgumentException($"'{defaultRegion}' is not a region libphonenumber knows.", nameof(defaultRegion));
        }

        DefaultRegion = defaultRegion.ToUpperInvariant();
    }

    public string DefaultRegion { get; }

    /// <summary>Normalizes <paramref name="number"/> to E.164 (<c>+17135550199</c>); false when it cannot be a phone number.</summary>
    public bool TryNormalize(string? number, out string e164, string? region = null)
    {
        e164 = string.Empty;
        if (string.IsNullOrWhiteSpace(number))
        {
            return false;
        }

        try
        {
            var parsed = Util.Parse(number, region ?? DefaultRegion);
            if (!Util.IsPossibleNumber(parsed))
            {
                return false;
            }

            e164 = Util.Format(parsed, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>Normalizes or returns null.</summary>
    public string? NormalizeOrNull(string? number, string? region = null) => TryNormalize(number, out var e164, region) ? e164 : null;
}
