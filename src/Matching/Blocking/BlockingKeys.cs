using System.Globalization;
using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Blocking;

/// <summary>
/// Deterministic blocking keys. Two records are compared when they share at least one key, so the hub stores
/// them in a B-tree index and looks candidates up by equality. Keys are short ASCII strings whose first letter
/// names the kind:
/// <list type="table">
/// <item><term><c>n:</c></term><description>phonetic surname + birth year (<c>n:KRS:1988</c>), for each surname word and either name order; a <see cref="IsCoarse">coarse</see> key</description></item>
/// <item><term><c>m:</c></term><description>the <c>n:</c> key narrowed by a given-name signature: each given word's initial (<c>m:KRS:1988:m</c>) and nickname groups (<c>m:KRS:1988:#12</c>), so that Bill meets William and "M." meets María; it stands in for an <c>n:</c> block grown too large</description></item>
/// <item><term><c>v:</c></term><description>first 5 letters of a surname word (and of the whole surname) + first 2 of a given-name word, or its nickname group, no date (<c>v:cisne:pa</c>, <c>v:cisne:#12</c>), in both name orders; a <see cref="IsCoarse">coarse</see> key, for records without a birth date</description></item>
/// <item><term><c>d:</c></term><description>given-name initial + full date of birth (<c>d:m:19880314</c>)</description></item>
/// <item><term><c>z:</c></term><description>phonetic surname + postcode of a linked address (<c>z:KRS:77002</c>), for records whose birth date is missing or mistyped</description></item>
/// <item><term><c>x:</c></term><description>a type-qualified identifier (<c>x:ssn:123456789</c>)</description></item>
/// <item><term><c>y:</c></term><description>the identifier with one character deleted, for each position: finds one-typo pairs</description></item>
/// <item><term><c>a:</c></term><description>a normalized street line (<c>a:1200 main st #4</c>)</description></item>
/// <item><term><c>p:</c></term><description>an E.164 phone (<c>p:+17135550199</c>)</description></item>
/// <item><term><c>o</c></term><description>geohash cell + time bucket of a planned operation (<c>o9vk1/1:20789</c>)</description></item>
/// <item><term><c>q</c></term><description>geohash cell of an operation's area or a place's point, without time</description></item>
/// <item><term><c>g</c></term><description>geohash cell near a place's point, for the shared-place distance</description></item>
/// </list>
/// </summary>
public static class BlockingKeys
{
    /// <summary>
    /// The version of the key scheme. Raise it whenever the keys of an unchanged record change (a new kind of key,
    /// another normalization, an edited nickname table): the hub then re-keys every stored record once, so records
    /// keyed before the upgrade can meet new ones through the new keys. 1: the first scheme; 2: added the
    /// <c>m:</c> keys; 3: added the date-free <c>v:</c> keys, the Spanish hypocoristics and given-name particles.
    /// </summary>
    public const int SchemeVersion = 3;

    /// <summary>Geohash precisions of the operation hierarchy: about 153 m, 4.9 km and 156 km cells.</summary>
    internal static readonly int[] SpatialLevels = [7, 5, 3];

    /// <summary>Time bucket lengths of the operation hierarchy, in days.</summary>
    internal static readonly int[] TimeLevelDays = [1, 16, 256];

    /// <summary>An operation uses the finest spatial level whose cover has at most this many cells.</summary>
    internal const int MaxCellsPerLevel = 16;

    /// <summary>An operation uses the finest time level whose window spans at most this many buckets.</summary>
    internal const int MaxBucketsPerLevel = 4;

    /// <summary>
    /// Keys of a subject: its names, birth date and identifiers, plus the phones and street lines of the
    /// places that point to it. Distinct and sorted.
    /// </summary>
    public static IReadOnlyList<string> ForPerson(PersonEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        var birth = evidence.BirthDate;
        foreach (var name in evidence.Names)
        {
            // Either part may be the family name: connectors and clerks swap them.
            foreach (var (surname, given) in new[] { (name.Surname, name.Given), (name.Given, name.Surname) })
            {
                if (surname.IsEmpty)
                {
                    continue;
                }

                // The whole surname's letters too: "DelaPaz" and "De la Paz", "TreviñoGarza" and "Treviño Garza".
                if (surname.Tokens.Count > 1 || surname.Joined != surname.Tokens[0].Text)
                {
                    AddDateFree(keys, surname.Joined, given);
                }

                foreach (var token in surname.Tokens)
                {
                    // Initials and words without letters (a stray "2nd") have no useful sound to block on.
                    if (token.IsInitial || token.Phonetic.Primary.Length == 0)
                    {
                        continue;
                    }

                    if (birth is { } date)
                    {
                        var block = string.Create(CultureInfo.InvariantCulture, $"n:{token.Phonetic.Primary}:{date.Year}");
                        keys.Add(block);
                        foreach (var signature in GivenSignatures(given))
                        {
                            keys.Add(string.Concat("m", block.AsSpan(1), ":", signature));
                        }
                    }

                    AddDateFree(keys, token.Text, given);

                    foreach (var address in evidence.Addresses)
                    {
                        if (address.Postcode is { } postcode)
                        {
                            keys.Add($"z:{token.Phonetic.Primary}:{postcode}");
                        }
                    }
                }
            }

            if (birth is { IsFull: true } full)
            {
                foreach (var part in new[] { name.Given, name.Surname })
                {
                    if (!part.IsEmpty)
                    {
                        keys.Add($"d:{part.Tokens[0].Text[0]}:{full.ToCompactString()}");
                    }
                }
            }
        }

        foreach (var identifier in evidence.Identifiers)
        {
            keys.Add(ForIdentifier(identifier));
            foreach (var key in ForIdentifierTypos(identifier))
            {
                keys.Add(key);
            }
        }

        foreach (var phone in evidence.Phones)
        {
            keys.Add(ForPhone(phone.E164));
        }

        foreach (var address in evidence.Addresses)
        {
            if (ForAddress(address) is { } key)
            {
                keys.Add(key);
            }
        }

        return [.. keys];
    }

    /// <summary>
    /// Whether a key is coarse: its block (the records sharing it) grows with the stored population, as a surname
    /// sound and a birth year do. Each <c>n:</c> key has narrower <c>m:</c> siblings on the same record, so a lookup may
    /// skip a coarse block that has grown past a limit and still find, through the siblings, the pairs that agree on
    /// a given-name initial or nickname. A <c>v:</c> block (a name without a date) over the limit is skipped with no
    /// stand-in, by design: a name that many records share cannot carry a match without a birth date.
    /// </summary>
    public static bool IsCoarse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("n:", StringComparison.Ordinal) || key.StartsWith("v:", StringComparison.Ordinal);
    }

    /// <summary>
    /// The given-name signatures that narrow an <c>n:</c> key: for each word of the given part, its initial and, for a
    /// full word, each nickname group it belongs to (<c>#12</c>). Two spellings of one given name share a signature when
    /// they share an initial (María, "M.") or a nickname group (Bill, William; Pepe, José).
    /// </summary>
    private static SortedSet<string> GivenSignatures(NamePart given)
    {
        var signatures = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var token in given.TokenArray)
        {
            signatures.Add(token.Text[..1]);
            foreach (var group in token.NicknameGroups)
            {
                signatures.Add(string.Create(CultureInfo.InvariantCulture, $"#{group}"));
            }
        }

        return signatures;
    }

    /// <summary>Letters of a surname in a <c>v:</c> key: enough to be selective, few enough to survive run-together
    /// surnames ("morenogarcia" ~ "moreno") and typos late in the word.</summary>
    internal const int DateFreeSurnameLetters = 5;

    /// <summary>Letters of a given-name word in a <c>v:</c> key (typos are rarely in the first two).</summary>
    internal const int DateFreeGivenLetters = 2;

    /// <summary>
    /// Date-free keys: the surname's first letters with each given-name word's first letters or nickname group
    /// (<c>v:cisne:pa</c>, <c>v:cisne:#12</c>), so a record without a birth date, or with a wrong year, still meets
    /// its pair. Coarse: a name that many records share cannot carry a match without a date anyway, so only rare
    /// names' blocks are read.
    /// </summary>
    private static void AddDateFree(SortedSet<string> keys, string surname, NamePart given)
    {
        if (surname.Length < 2)
        {
            return;
        }

        var prefix = surname.Length > DateFreeSurnameLetters ? surname[..DateFreeSurnameLetters] : surname;
        foreach (var token in given.TokenArray)
        {
            if (token.IsInitial)
            {
                continue;
            }

            keys.Add(string.Concat("v:", prefix, ":", token.Text.Length > DateFreeGivenLetters ? token.Text.AsSpan(0, DateFreeGivenLetters) : token.Text));
            foreach (var group in token.NicknameGroups)
            {
                keys.Add(string.Create(CultureInfo.InvariantCulture, $"v:{prefix}:#{group}"));
            }
        }
    }

    /// <summary>The key of an identifier.</summary>
    public static string ForIdentifier(NormalizedIdentifier identifier) => $"x:{identifier.Type}:{identifier.Value}";

    /// <summary>
    /// The identifier's one-deletion neighbourhood (<c>y:ssn:12356789</c>, one per position): two values one edit
    /// apart (a changed, missing or extra character, or two adjacent characters swapped) share one of these.
    /// Only for values of at least <see cref="MinTypoIdentifierLength"/> characters, where collisions are rare.
    /// </summary>
    public static IEnumerable<string> ForIdentifierTypos(NormalizedIdentifier identifier)
    {
        var value = identifier.Value;
        if (value.Length < MinTypoIdentifierLength)
        {
            yield break;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (i > 0 && value[i] == value[i - 1])
            {
                continue;
            }

            yield return $"y:{identifier.Type}:{value.Remove(i, 1)}";
        }
    }

    /// <summary>Shortest identifier that gets typo-tolerant keys.</summary>
    public const int MinTypoIdentifierLength = 6;

    /// <summary>The key of an E.164 number.</summary>
    public static string ForPhone(string e164) => $"p:{e164}";

    /// <summary>The key of an address's street line, or null when the street line has no number and street word.</summary>
    public static string? ForAddress(NormalizedAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var hasNumber = address.StreetTokens.Any(token => char.IsAsciiDigit(token[0]));
        var hasWord = address.StreetTokens.Any(token => char.IsAsciiLetter(token[0]));
        return hasNumber && hasWord ? $"a:{address.StreetKey}" : null;
    }

    /// <summary>Keys of a phone record.</summary>
    public static IReadOnlyList<string> ForPhoneRecord(NormalizedPhone phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        return [ForPhone(phone.E164)];
    }

    /// <summary>
    /// Keys of a place: its street line; the cells near its point at the precision of the shared-place distance
    /// (<c>g</c>, so two points within that distance share a key); and its point's cell at every operation level
    /// (<c>q</c>, so a place inside an operation's circle shares a key with it).
    /// </summary>
    public static IReadOnlyList<string> ForPlace(NormalizedPlace place, double sharedPlaceDistanceMeters)
    {
        ArgumentNullException.ThrowIfNull(place);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (place.Address is { } address && ForAddress(address) is { } addressKey)
        {
            keys.Add(addressKey);
        }

        if (place.Point is { } point)
        {
            var precision = NearbyPrecision(sharedPlaceDistanceMeters);
            // Two points within D have their midpoint within D/2 of both: its cell is in both covers.
            foreach (var cell in Geohash.Cover(point, sharedPlaceDistanceMeters / 2, precision))
            {
                keys.Add("g" + cell);
            }

            foreach (var level in SpatialLevels)
            {
                keys.Add("q" + Geohash.Encode(point, level));
            }
        }

        return [.. keys];
    }

    /// <summary>
    /// Keys of a planned operation, widened by half the configured buffers on each side. Two operations that
    /// conflict share an <c>o</c> key; an operation and a place inside its circle share a <c>q</c> key.
    /// </summary>
    /// <remarks>
    /// Each operation picks its own spatial level (the finest of <see cref="SpatialLevels"/> whose cover has at most
    /// <see cref="MaxCellsPerLevel"/> cells) and time level, and emits its cover and buckets at that level and every
    /// coarser one. Two conflicting operations have a common point P at a common instant t; at the coarser of their
    /// two levels both covers contain P's cell (each cover holds every cell of its circle's bounding box) and both
    /// bucket lists contain t's bucket, so they share that key, whatever their radii.
    /// </remarks>
    public static IReadOnlyList<string> ForOperation(PlannedOperation operation, double bufferMeters = 0, TimeSpan bufferTime = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var radius = operation.RadiusMeters + (bufferMeters / 2);
        var window = operation.Window.Widen(bufferTime / 2);
        var from = window.From ?? throw new ArgumentException("An operation window needs a start.", nameof(operation));
        var to = window.To ?? throw new ArgumentException("An operation window needs an end.", nameof(operation));

        var spatialStart = Array.FindIndex(SpatialLevels, level => Geohash.CoverCount(operation.Center, radius, level) <= MaxCellsPerLevel);
        spatialStart = spatialStart < 0 ? SpatialLevels.Length - 1 : spatialStart;
        var timeStart = Array.FindIndex(TimeLevelDays, days => Bucket(to, days) - Bucket(from, days) + 1 <= MaxBucketsPerLevel);
        timeStart = timeStart < 0 ? TimeLevelDays.Length - 1 : timeStart;

        var keys = new SortedSet<string>(StringComparer.Ordinal);
        for (var s = spatialStart; s < SpatialLevels.Length; s++)
        {
            var cells = Geohash.Cover(operation.Center, radius, SpatialLevels[s]);
            foreach (var cell in cells)
            {
                keys.Add("q" + cell);
                for (var t = timeStart; t < TimeLevelDays.Length; t++)
                {
                    var days = TimeLevelDays[t];
                    for (var bucket = Bucket(from, days); bucket <= Bucket(to, days); bucket++)
                    {
                        keys.Add(string.Create(CultureInfo.InvariantCulture, $"o{cell}/{days}:{bucket}"));
                    }
                }
            }
        }

        return [.. keys];
    }

    /// <summary>The geohash precision whose cells are at least <paramref name="distanceMeters"/> high, so a cover of D/2 has at most 2×2 cells.</summary>
    internal static int NearbyPrecision(double distanceMeters)
    {
        for (var precision = Geohash.MaxPrecision; precision > 1; precision--)
        {
            if (Geohash.CellHeightMeters(precision) >= distanceMeters)
            {
                return precision;
            }
        }

        return 1;
    }

    private static long Bucket(DateTimeOffset instant, int days) =>
        (long)Math.Floor(instant.ToUnixTimeSeconds() / (86_400.0 * days));
}
