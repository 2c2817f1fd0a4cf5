namespace SharingHub.Matching.Normalization;

/// <summary>A validated WGS 84 point (degrees).</summary>
public readonly record struct GeoPoint
{
    /// <summary>Mean Earth radius (IUGG), in metres; haversine distances use a sphere of this radius.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    private GeoPoint(double latitude, double longitude)
    {
        Latitude = latitude;
        Longitude = longitude;
    }

    public double Latitude { get; }

    public double Longitude { get; }

    /// <summary>True when the coordinates are finite, latitude in [-90, 90] and longitude in [-180, 180].</summary>
    public static bool IsValid(double latitude, double longitude) =>
        double.IsFinite(latitude) && double.IsFinite(longitude) && latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180;

    /// <summary>Creates a point; false for out-of-range or non-finite coordinates.</summary>
    public static bool TryCreate(double latitude, double longitude, out GeoPoint point)
    {
        point = IsValid(latitude, longitude) ? new GeoPoint(latitude, longitude) : default;
        return IsValid(latitude, longitude);
    }

    /// <summary>Creates a point or throws <see cref="ArgumentOutOfRangeException"/> naming the bad coordinate.</summary>
    public static GeoPoint Create(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "Latitude must be within [-90, 90].");
        }

        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
        {
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "Longitude must be within [-180, 180].");
        }

        return new GeoPoint(latitude, longitude);
    }

    /// <summary>Great-circle (haversine) distance in metres.</summary>
    public double DistanceTo(GeoPoint other)
    {
        var lat1 = DegreesToRadians(Latitude);
        var lat2 = DegreesToRadians(other.Latitude);
        var dLat = lat2 - lat1;
        var dLon = DegreesToRadians(other.Longitude - Longitude);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    internal static double DegreesToRadians(double degrees) => degrees * Math.PI / 180;

    internal static double RadiansToDegrees(double radians) => radians * 180 / Math.PI;

    public override string ToString() => FormattableString.Invariant($"({Latitude:F6}, {Longitude:F6})");
}
