using SharingHub.Rules;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// Normalizes phone numbers to E.164 with the record rules' one phone routine (<see cref="PhoneRules"/>: libphonenumber,
/// the country rules such as Mexico's dropped mobile "1", possible-length test), so the engine reads a number exactly
/// as the connector and the Gateway did. Numbers written without a country code are read in the default region
/// (ISO 3166 alpha-2, e.g. <c>US</c>).
/// </summary>
public sealed class PhoneNormalizer
{
    public PhoneNormalizer(string defaultRegion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultRegion);
        if (!PhoneRules.IsKnownRegion(defaultRegion))
        {
            throw new ArgumentException($"'{defaultRegion}' is not a region libphonenumber knows.", nameof(defaultRegion));
        }

        DefaultRegion = defaultRegion.ToUpperInvariant();
    }

    public string DefaultRegion { get; }

    /// <summary>Normalizes <paramref name="number"/> to E.164 (<c>+17135550199</c>); false when it cannot be a phone number.</summary>
    public bool TryNormalize(string? number, out string e164, string? region = null) =>
        PhoneRules.TryToE164(number, region ?? DefaultRegion, out e164);

    /// <summary>Normalizes or returns null.</summary>
    public string? NormalizeOrNull(string? number, string? region = null) => TryNormalize(number, out var e164, region) ? e164 : null;
}
