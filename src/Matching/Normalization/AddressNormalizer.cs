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
        _localityTokens = localityTokens;
        Postcode = postcode;
        StreetKey = string.Join(' ', streetTokens);
        Key = localityTokens.Length == 0 ? StreetKey : StreetKey.Length == 0 ? string.Join(' ', localityTokens) : $"{StreetKey}, {string.Join(' ', localityTokens)}";
        AllTokens = [.. streetTokens, .. localityTokens];
        InformativeTokens = [.. streetTokens.Where(token => !AddressNormalizer.IsStructural(token)),
            .. localityTokens.Where(token => token.Length > 2 || char.IsAsciiDigit(token[0]))];
    }

    private readonly string[] _localityTokens;

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

        // Loops rather than LINQ: this runs for candidate pairs, which must compare without allocating.
        foreach (var token in _localityTokens)
        {
            if (token != Postcode && Array.IndexOf(other._localityTokens, token) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Key;
}

/// <summary>
/// Normalizes addresses: case, diacritics and punctuation; street types and directions to USPS-style
/// abbreviations (Street → st, Avenue/Avenida → ave, North → n); unit designators (Apt, Apartment, Unit, Suite,
/// #, Depto) to <c>#</c>; ordinal words to numbers; US state names to their codes. The first comma ends the
/// street line; without commas, the street line ends after the unit or the last street type.
/// <para>
/// Mexican addresses (<c>Data/mx-address.csv</c>): Spanish street types (Av., Blvd., Priv., Calz., Prol.…), the
/// exterior number written after the street ("Av. Hidalgo No. 1234", "#1234-3") moved first as in a US line,
/// "Calle" dropped (nearly every Mexican street is one, and agencies leave it out), the colonia ("Col.") ending the
/// street line and dropped, "C.P." dropped, state names and abbreviations ("N.L.", "Nuevo León" → nl; "Tamps." →
/// tamps) to one code, and a trailing "México"/"MX" dropped. So the full, abbreviated, "#" and flattened forms of one
/// address give one key.
/// </para>
/// </summary>
public static class AddressNormalizer
{
    private static readonly MexicanAddressVocabulary Mexican = MexicanAddressVocabulary.Default;

    // Markers TextFolding never produces: a colonia word (ends the street line), an exterior-number designator
    // (its number: "=1234"), and a postal-code word (dropped).
    private const string ColoniaMarker = "@col";
    private const string ExteriorMarker = "=";

    private static readonly FrozenSet<string> MexicanStreetTypes =
        Mexican.OfKind("street").Select(word => word.Value).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> MexicanStates =
        Mexican.OfKind("state").Select(word => word.Value).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Countries =
        Mexican.OfKind("country").Select(word => word.Key).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Canonical = BuildCanonical();

    // Applied to the locality only: "Washington St" is a street, ", Washington" a state.
    private static readonly FrozenDictionary<string, string> States = BuildStates();

    private static readonly FrozenSet<string> StreetTypes = new[]
    {
        "st", "ave", "rd", "pl", "blvd", "dr", "ln", "ct", "cir", "cct", "cres", "ter", "hwy", "pkwy", "sq", "way", "trl", "expy",
        "fwy", "pde", "esp", "gr", "plz", "carr", "cam", "pso", "aly", "loop", "cl", "calle", "crt", "rdg", "vw", "row", "walk", "gdns",
    }.Concat(MexicanStreetTypes).ToFrozenSet(StringComparer.Ordinal);

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

        // "Hidalgo 1234 Col. Centro, Reynosa": the colonia ends the street line even before a comma.
        var colonia = street.IndexOf(ColoniaMarker);
        if (colonia >= 0)
        {
            locality.InsertRange(0, street.Skip(colonia));
            street.RemoveRange(colonia, street.Count - colonia);
        }
        var mexican = locality.RemoveAll(token => token == ColoniaMarker) > 0;

        for (var i = 0; i < locality.Count; i++)
        {
            if (States.TryGetValue(locality[i], out var code))
            {
                locality[i] = code;
                mexican |= MexicanStates.Contains(code);
            }
        }
        // A trailing "México" or "MX" (never "New Mexico"/"Nuevo México", a US state).
        if (locality.Count > 1 && Countries.Contains(locality[^1]) && locality[^2] is not ("new" or "nuevo"))
        {
            locality.RemoveAt(locality.Count - 1);
            mexican = true;
        }
        if (mexican || street.Count > 0 && MexicanStreetTypes.Contains(street[0]))
        {
            PutExteriorNumberFirst(street);
        }
        // An exterior-number designator left where it was ("1200 Main St No. 4") designates a unit, as it did.
        UnitForLeftNumbers(street);
        UnitForLeftNumbers(locality);

        var postcode = ExtractPostcode(locality);
        return new NormalizedAddress([.. street], [.. locality], postcode);
    }

    /// <summary>
    /// A Mexican street line: the exterior number, written after the street ("Av. Hidalgo 1234", "Av. Hidalgo
    /// No. 1234", "Av. Hidalgo #1234-3"), goes first as in a US line ("1234 ave hidalgo #3"), and "calle" goes.
    /// A line that already starts with its number (a US system's flattened form) keeps its order.
    /// </summary>
    private static void PutExteriorNumberFirst(List<string> street)
    {
        if (street.Count > 0 && !IsDigits(street[0]))
        {
            // A bare number before any designator ("Calle 5 de Mayo 123 Depto 3": the last one, 123), else the
            // designated one ("No. 123", then "#123"), whose following bare number is the interior ("#123-3").
            var designated = street.FindIndex(token => token[0] is '#' or '=');
            var limit = designated < 0 ? street.Count : designated;
            var exterior = limit > 0 ? street.FindLastIndex(limit - 1, limit, IsDigits) : -1;
            var marked = false;
            if (exterior < 0)
            {
                exterior = street.FindIndex(token => token.Length > 1 && token[0] == '=' && IsDigits(token[1..]));
                if (exterior < 0)
                {
                    exterior = street.FindIndex(token => token.Length > 1 && token[0] == '#' && IsDigits(token[1..]));
                }
                marked = exterior >= 0;
            }
            if (exterior >= 0)
            {
                var number = marked ? street[exterior][1..] : street[exterior];
                if (marked && exterior + 1 < street.Count && IsDigits(street[exterior + 1]))
                {
                    street[exterior + 1] = "#" + street[exterior + 1];
                }
                street.RemoveAt(exterior);
                street.Insert(0, number);
            }
        }
        if (street.Count > 1)
        {
            street.RemoveAll(token => token == "calle");
        }
    }

    private static void UnitForLeftNumbers(List<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].StartsWith(ExteriorMarker, StringComparison.Ordinal))
            {
                tokens[i] = "#" + tokens[i][1..];
            }
        }
    }

    private static List<string> Canonicalize(string segment)
    {
        var result = new List<string>();
        var pendingUnit = false;
        var pendingNumber = false;
        foreach (var raw in Mexican.JoinPhrases(TextFolding.Tokens(segment, keep: "#")))
        {
            foreach (var piece in SplitHash(raw))
            {
                if (pendingNumber)
                {
                    // "No. 1234" is the exterior number; "No. B" a unit's designation, as before.
                    pendingNumber = false;
                    result.Add((IsDigits(piece) ? ExteriorMarker : "#") + piece);
                    continue;
                }

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
                if (token == ExteriorMarker)
                {
                    pendingNumber = true;
                    continue;
                }
                if (token.Length == 0)
                {
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
        var colonia = tokens.IndexOf(ColoniaMarker);
        if (colonia >= 0)
        {
            street.AddRange(tokens.Take(colonia));
            locality.AddRange(tokens.Skip(colonia));
            return;
        }

        var end = tokens.FindLastIndex(token => token[0] is '#' or '=');
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
        Add("#", "apt", "apartment", "apto", "unit", "suite", "ste", "number", "flat", "room", "rm", "lot", "space", "spc");
        foreach (var (variant, canonical) in Mexican.OfKind("street"))
        {
            map[variant] = canonical;
        }
        foreach (var (variant, _) in Mexican.OfKind("unit"))
        {
            map[variant] = "#";
        }
        foreach (var (variant, _) in Mexican.OfKind("number"))
        {
            map[variant] = ExteriorMarker;
        }
        foreach (var (variant, _) in Mexican.OfKind("colonia"))
        {
            map[variant] = ColoniaMarker;
        }
        foreach (var (variant, _) in Mexican.OfKind("postcode"))
        {
            map[variant] = "";
        }
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
        foreach (var (variant, canonical) in Mexican.OfKind("state"))
        {
            map[variant] = canonical;
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
