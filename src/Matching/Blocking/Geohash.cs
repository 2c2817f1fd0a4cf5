using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Blocking;

/// <summary>
/// Geohash cells (base-32, longitude bit first). A cell at precision p is
/// 360/2^ceil(5p/2) degrees wide and 180/2^floor(5p/2) degrees high.
/// </summary>
public static class Geohash
{
    private const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>Longest precision supported (12 characters, about 4 cm).</summary>
    public const int MaxPrecision = 12;

    /// <summary>The cell containing <paramref name="point"/>.</summary>
    public static string Encode(GeoPoint point, int precision)
    {
        CheckPrecision(precision);
        var (lonBits, latBits) = Bits(precision);
        return FromIndexes(Index(point.Longitude + 180, 360, lonBits), Index(point.Latitude + 90, 180, latBits), precision);
    }

    /// <summary>Cell width in degrees of longitude.</summary>
    public static double CellWidthDegrees(int precision) => 360.0 / (1L << Bits(precision).LonBits);

    /// <summary>Cell height in degrees of latitude.</summary>
    public static double CellHeightDegrees(int precision) => 180.0 / (1L << Bits(precision).LatBits);

    /// <summary>Cell height in metres (constant), which is also the cell's smallest dimension at the equator for odd precisions.</summary>
    public static double CellHeightMeters(int precision) => GeoPoint.DegreesToRadians(CellHeightDegrees(precision)) * GeoPoint.EarthRadiusMeters;

    /// <summary>
    /// Every cell that intersects the bounding box of the spherical cap of <paramref name="radiusMeters"/> around
    /// <paramref name="center"/>, so every cell holding a point within that distance (a superset: the box's corners
    /// are included). The box is exact for a sphere and widened by a small margin against rounding.
    /// </summary>
    public static IReadOnlyList<string> Cover(GeoPoint center, double radiusMeters, int precision)
    {
        CheckPrecision(precision);
        ArgumentOutOfRangeException.ThrowIfNegative(radiusMeters);
        var (lonBits, latBits) = Bits(precision);
        var (minLat, maxLat, minLon, maxLon, allLongitudes) = BoundingBox(center, radiusMeters);

        var yFrom = Index(minLat + 90, 180, latBits);
        var yTo = Index(maxLat + 90, 180, latBits);
        var columns = 1L << lonBits;
        long xFrom, xTo;
        if (allLongitudes)
        {
            xFrom = 0;
            xTo = columns - 1;
        }
        else
        {
            xFrom = (long)Math.Floor((minLon + 180) / 360 * columns);
            xTo = (long)Math.Floor((maxLon + 180) / 360 * columns);
            if (xTo - xFrom >= columns)
            {
                xFrom = 0;
                xTo = columns - 1;
            }
        }

        var cells = new List<string>((int)Math.Min(1024, (xTo - xFrom + 1) * (yTo - yFrom + 1)));
        for (var x = xFrom; x <= xTo; x++)
        {
            var wrapped = ((x % columns) + columns) % columns;
            for (var y = yFrom; y <= yTo; y++)
            {
                cells.Add(FromIndexes(wrapped, y, precision));
            }
        }

        return cells;
    }

    /// <summary>How many cells <see cref="Cover"/> would return, without building them.</summary>
    public static long CoverCount(GeoPoint center, double radiusMeters, int precision)
    {
        var (lonBits, latBits) = Bits(precision);
        var (minLat, maxLat, minLon, maxLon, allLongitudes) = BoundingBox(center, radiusMeters);
        var rows = Index(maxLat + 90, 180, latBits) - Index(minLat + 90, 180, latBits) + 1;
        var columnsTotal = 1L << lonBits;
        var columns = allLongitudes
            ? columnsTotal
            : Math.Min(columnsTotal, (long)Math.Floor((maxLon + 180) / 360 * columnsTotal) - (long)Math.Floor((minLon + 180) / 360 * columnsTotal) + 1);
        return rows * columns;
    }

    private static (double MinLat, double MaxLat, double MinLon, double MaxLon, bool AllLongitudes) BoundingBox(GeoPoint center, double radiusMeters)
    {
        // Margin: a millionth of the radius plus a few centimetres, so rounding never drops a touching cell.
        var angular = (radiusMeters * (1 + 1e-6) + 0.05) / GeoPoint.EarthRadiusMeters;
        var dLat = GeoPoint.RadiansToDegrees(angular);
        var minLat = center.Latitude - dLat;
        var maxLat = center.Latitude + dLat;
        if (minLat <= -90 || maxLat >= 90 || angular >= Math.PI / 2)
        {
            return (Math.Max(-90, minLat), Math.Min(90, maxLat), -180, 180, true);
        }

        var ratio = Math.Sin(angular) / Math.Cos(GeoPoint.DegreesToRadians(center.Latitude));
        if (ratio >= 1)
        {
            return (minLat, maxLat, -180, 180, true);
        }

        var dLon = GeoPoint.RadiansToDegrees(Math.Asin(ratio));
        return (minLat, maxLat, center.Longitude - dLon, center.Longitude + dLon, false);
    }

    private static (int LonBits, int LatBits) Bits(int precision) => ((5 * precision + 1) / 2, 5 * precision / 2);

    private static long Index(double offset, double span, int bits)
    {
        var count = 1L << bits;
        var index = (long)Math.Floor(offset / span * count);
        return Math.Clamp(index, 0, count - 1);
    }

    private static string FromIndexes(long x, long y, int precision)
    {
        var (lonBits, latBits) = Bits(precision);
        Span<char> chars = stackalloc char[precision];
        var lonLeft = lonBits;
        var latLeft = latBits;
        var value = 0;
        var bitCount = 0;
        var position = 0;
        for (var i = 0; i < 5 * precision; i++)
        {
            int bit;
            if (i % 2 == 0)
            {
                lonLeft--;
                bit = (int)((x >> lonLeft) & 1);
            }
            else
            {
                latLeft--;
                bit = (int)((y >> latLeft) & 1);
            }

            value = (value << 1) | bit;
            if (++bitCount == 5)
            {
                chars[position++] = Alphabet[value];
                value = 0;
                bitCount = 0;
            }
        }

        return new string(chars);
    }

    private static void CheckPrecision(int precision)
    {
        if (precision is < 1 or > MaxPrecision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Geohash precision must be within [1, {MaxPrecision}].");
        }
    }
}
