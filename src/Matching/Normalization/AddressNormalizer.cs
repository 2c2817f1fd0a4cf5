using System.Collections.Frozen;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// A normalized postal address. <see cref="Key"/> is the whole canonical form; <see cref="StreetKey"/> the
/// street line (number, street, unit) that blocking uses; <see cref="LocalityTokens"/> what follows the street line
/// (suburb or city, state, postcode).
/// </summary>
public sealed class NormalizedAddress
{
    internal NormalizedAddress(string[] streetTokens, string[] localityTokens, string? postcode)
    {
        StreetTokens = streetTokens;
        LocalityTokens = localityTokens;
        Postcode = postcode;
        StreetKey = string.Join(' ', streetTokens);
        Key = localityTokens.Length == 0 ? StreetKey : StreetKey.Length == 0 ? string.Join(' ', localityTokens) : $"{StreetKey}, {string.Join(' ', localityTokens)}";
        AllTokens = [.. streetTokens, .. localityTokens];
        InformativeTokens = [.. streetTokens.Where(token => !AddressNormalizer.IsStructural(token)),
            .. localityTokens.Where(token => token.Length > 2 || char.IsAsciiDigit(token[0]))];
    }

    /// <summary>Canonical form, e.g. <c>1200 main st #4, houston tx 77002</c>.</summary>
    public string Key { get; }

    /// <summary>Canonical street line, e.g. <c>1200 main st #4</c>.</summary>
    public string StreetKey { get; }

    public IReadOnlyList<string> StreetTokens { get; }

    public IReadOnlyList<string> LocalityTokens { get; }

    internal string[] AllTokens { get; }

    /// <summary>Tokens that tell places apart: no street types, directions or state codes.</summary>
    internal string[] InformativeTokens { get; }

    /// <summary>A 4- or 5-digit postal code found after the street line (ZIP+4 is cut to 5 digits).</summary>
    public string? Postcode { get; }

    public bool IsEmpty => AllTokens.Length == 0;

    /// <summary>
    /// True when both describe the same place: same street line, and nothing in the locality contradicts
    /// (different postcodes, or city/state words with nothing in common).
    /// </summary>
    public bool IsSamePlace(NormalizedAddress other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (StreetKey.Length == 0 || StreetKey != other.StreetKey)
        {
            return false;
        }

        if (Postcode is not null && other.Postcode is not null)
        {
            return Postcode == other.Postcode;
        }

        if (LocalityTokens.Count == 0 || other.LocalityTokens.Count == 0)
        {
            return true;
        }

        return LocalityTokens.Any(token => token != Postcode && other.LocalityTokens.Contains(token));
    }

    public override string ToString() => Key;
}

/// <summary>
/// Normalizes addresses: case, diacritics and punctuation; street types and directions to USPS-style
/// abbreviations (Street → st, Avenue/Avenida → ave, North → n); unit designators (Apt, Apartment, Unit, Suite,
/// #, No., Depto) to <c>#</c>; ordinal words to numbers; US state names to their codes. The first comma ends the
/// street line; without commas, the street line ends after the unit or the last street type.
/// </summary>
public static class AddressNormalizer
{
    private static readonly FrozenDictionary<string, string> Canonical = BuildCanonical();

    // Applied to the locality only: "Washington St" is a street, ", Washington" a state.
    private static readonly FrozenDictionary<string, string> States = BuildStates();

    private static readonly FrozenSet<string> StreetTypes = FrozenSet.Create(StringComparer.Ordinal,
        "st", "ave", "rd", "pl", "blvd", "dr", "ln", "ct", "cir", "cct", "cres", "ter", "hwy", "pkwy", "sq", "way", "trl", "expy",
        "fwy", "pde", "esp", "gr", "plz", "carr", "cam", "pso", "aly", "loop", "cl", "calle", "crt", "rdg", "vw", "row", "walk", "gdns");

    /// <summary>Street types and directions: they describe a street but do not tell streets apart.</summary>
    internal static bool IsStructural(string token) =>
        StreetTypes.Contains(token) || token is "n" or "s" or "e" or "w" or "ne" or "nw" or "se" or "sw";

    /// <summary>Normalizes one address written on one line; returns an empty address for blank input.</summary>
    public static NormalizedAddress Normalize(string? address)
    {
        var street = new List<string>();
        var locality = new List<string>();
        if (string.IsNullOrWhiteSpace(address))
        {
            return new NormalizedAddress([], [], null);
        }

        var segments = address.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = Canonicalize(segments.Length > 0 ? segments[0] : string.Empty);
        if (segments.Length > 1)
        {
            street.AddRange(first);
            foreach (var segment in segments.Skip(1))
            {
                locality.AddRange(Canonicalize(segment));
            }
        }
        else
        {
            SplitSingleLine(first, street, locality);
        }

        for (var i = 0; i < locality.Count; i++)
        {
            if (States.TryGetValue(locality[i], out var code))
            {
                locality[i] = code;
            }
        }

        var postcode = ExtractPostcode(locality);
        return new NormalizedAddress([.. street], [.. locality], postcode);
    }

    private static List<string> Canonicalize(string segment)
    {
        var result = new List<string>();
        var pendingUnit = false;
        foreach (var raw in TextFolding.Tokens(segment, keep: "#"))
        {
            foreach (var piece in SplitHash(raw))
            {
                if (pendingUnit && !(Canonical.TryGetValue(piece, out var next) && next == "#"))
                {
                    // The unit's own designation stays literal: "Apt C" is unit c, not Calle.
                    result.Add("#" + piece);
                    pendingUnit = false;
                    continue;
                }

                var token = Canonical.TryGetValue(piece, out var canonical) ? canonical : piece;
                if (token == "#")
                {
                    pendingUnit = true;
                    continue;
                }

                result.Add(token);
            }
        }

        return result;
    }

    private static IEnumerable<string> SplitHash(string raw)
    {
        if (raw.Length > 1 && raw[0] == '#')
        {
            yield return "#";
            yield return raw[1..];
        }
        else
        {
            yield return raw;
        }
    }

    private static void SplitSingleLine(List<string> tokens, List<string> street, List<string> locality)
    {
        var end = tokens.FindLastIndex(token => token[0] == '#');
        if (end < 0)
        {
            end = tokens.FindLastIndex(token => StreetTypes.Contains(token));
            // A trailing directional belongs to the street (Main St N).
            while (end >= 0 && end + 1 < tokens.Count && tokens[end + 1] is "n" or "s" or "e" or "w" or "ne" or "nw" or "se" or "sw")
            {
                end++;
            }
        }

        if (end < 0)
        {
            street.AddRange(tokens);
            return;
        }

        street.AddRange(tokens.Take(end + 1));
        locality.AddRange(tokens.Skip(end + 1));
    }

    private static string? ExtractPostcode(List<string> locality)
    {
        for (var i = locality.Count - 1; i >= 0; i--)
        {
            var token = locality[i];
            if (token.Length == 4 && i > 0 && locality[i - 1].Length == 5 && IsDigits(locality[i - 1]) && IsDigits(token))
            {
                // ZIP+4: keep the 5-digit ZIP only.
                locality.RemoveAt(i);
                continue;
            }

            if (token.Length is 4 or 5 && IsDigits(token))
            {
                return token;
            }
        }

        return null;
    }

    private static bool IsDigits(string text) => text.All(char.IsAsciiDigit);

    private static FrozenDictionary<string, string> BuildCanonical()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string canonical, params string[] variants)
        {
            foreach (var variant in variants)
            {
                map[variant] = canonical;
            }
        }

        Add("st", "street", "str", "strt", "saint");
        Add("ave", "avenue", "av", "aven", "avn", "avenida", "avda", "avd");
        Add("rd", "road");
        Add("pl", "place");
        Add("blvd", "boulevard", "boul", "blv", "bulevar", "boulv");
        Add("dr", "drive", "drv");
        Add("ln", "lane");
        Add("ct", "court", "crt");
        Add("cir", "circle", "circ");
        Add("cct", "circuit");
        Add("cres", "crescent", "cresc");
        Add("ter", "terrace", "tce", "terr");
        Add("hwy", "highway", "hiway");
        Add("pkwy", "parkway", "pky", "pkway");
        Add("sq", "square");
        Add("trl", "trail");
        Add("expy", "expressway");
        Add("fwy", "freeway");
        Add("pde", "parade");
        Add("esp", "esplanade");
        Add("gr", "grove");
        Add("plz", "plaza");
        Add("carr", "carretera");
        Add("cam", "camino");
        Add("pso", "paseo");
        Add("aly", "alley");
        Add("calle", "c", "cl", "cll");
        Add("cl", "close");
        Add("gdns", "gardens");
        Add("rdg", "ridge");
        Add("vw", "view");
        Add("mt", "mount", "mountain");
        Add("hts", "heights");
        Add("n", "north", "norte");
        Add("s", "south", "sur");
        Add("e", "east", "este", "oriente");
        Add("w", "west", "oeste", "poniente");
        Add("ne", "northeast");
        Add("nw", "northwest");
        Add("se", "southeast");
        Add("sw", "southwest");
        Add("1st", "first");
        Add("2nd", "second");
        Add("3rd", "third");
        Add("4th", "fourth");
        Add("5th", "fifth");
        Add("6th", "sixth");
        Add("7th", "seventh");
        Add("8th", "eighth");
        Add("9th", "ninth");
        Add("10th", "tenth");
        Add("#", "apt", "apartment", "apto", "unit", "suite", "ste", "no", "num", "number", "flat", "room", "rm", "depto", "dpto",
            "departamento", "interior", "int", "lot", "space", "spc", "nro", "numero");
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, string> BuildStates()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        // Single-word state names only: two-word ones ("New York") would need phrase matching.
        string[] states =
        [
            "al:alabama", "ak:alaska", "az:arizona", "ar:arkansas", "ca:california", "co:colorado", "ct:connecticut",
            "de:delaware", "fl:florida", "ga:georgia", "hi:hawaii", "id:idaho", "il:illinois", "in:indiana", "ia:iowa",
            "ks:kansas", "ky:kentucky", "la:louisiana", "me:maine", "md:maryland", "ma:massachusetts", "mi:michigan",
            "mn:minnesota", "ms:mississippi", "mo:missouri", "mt:montana", "ne:nebraska", "nv:nevada", "oh:ohio", "ok:oklahoma",
            "or:oregon", "pa:pennsylvania", "tn:tennessee", "tx:texas", "ut:utah", "vt:vermont", "va:virginia", "wa:washington",
            "wi:wisconsin", "wy:wyoming",
        ];
        foreach (var state in states)
        {
            var parts = state.Split(':');
            map[parts[1]] = parts[0];
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
