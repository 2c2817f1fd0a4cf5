using SharingHub.Rules;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// Normalizes phone numbers to E.164 with the record rules' one phone routine (<see cref="PhoneRules"/>: libphonenumber,
/// the country rules such as Mexico's dropped mobile "1", possible-length test), so the engine reads a number exactly
/// as the connector and the Gateway did. Numbers written without a country code are read in the default region
/// (ISO 3166 alpha-2, e.g. <c>US</c>), or in a neighbouring region when invalid there.
/// </summary>
public sealed class PhoneNormalizer
{
    public PhoneNormalizer(string defaultRegion, IEnumerable<string>? neighbourRegions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultRegion);
        if (!PhoneRules.IsKnownRegion(defaultRegion))
        {
            throw new ArgumentException($"'{defaultRegion}' is not a region libphonenumber knows.", nameof(defaultRegion));
        }

        DefaultRegion = defaultRegion.ToUpperInvariant();
        Regions = PhoneRules.ParseRegions([DefaultRegion, .. neighbourRegions ?? []], out var error)
            ?? throw new ArgumentException(error, nameof(neighbourRegions));
    }

    public string DefaultRegion { get; }

    /// <summary>The default region, then the neighbouring ones.</summary>
    public IReadOnlyList<string> Regions { get; }

    /// <summary>Normalizes <paramref name="number"/> to E.164 (<c>+17135550199</c>); false when it cannot be a phone number.</summary>
    public bool TryNormalize(string? number, out string e164, string? region = null) =>
        region is null ? PhoneRules.TryToE164(number, Regions, out e164) : PhoneRules.TryToE164(number, region, out e164);

    /// <summary>Normalizes or returns null.</summary>
    public string? NormalizeOrNull(string? number, string? region = null) => TryNormalize(number, out var e164, region) ? e164 : null;
}
