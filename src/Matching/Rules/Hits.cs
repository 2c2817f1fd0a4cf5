namespace SharingHub.Matching.Rules;

/// <summary>
/// Two agencies' phone records carry the same E.164 number in overlapping periods. Names the subjects both point
/// to; it does not claim they are the same person.
/// </summary>
public sealed record SharedPhoneHit(string E164, DateRange SharedPeriod, string? SubjectRefA, string? SubjectRefB)
{
    public string Describe() => $"Same phone {E164} in use by both records during {SharedPeriod}.";
}

/// <summary>Why two places are the same place.</summary>
public enum SharedPlaceReason
{
    /// <summary>The normalized addresses describe the same place.</summary>
    SameAddress,

    /// <summary>The points are within the configured distance.</summary>
    NearbyPoints,
}

/// <summary>Two agencies' places are the same place. Names the subjects; it does not claim they are the same person.</summary>
public sealed record SharedPlaceHit(SharedPlaceReason Reason, double? DistanceMeters, string? SubjectRefA, string? SubjectRefB)
{
    public string Describe() => Reason switch
    {
        SharedPlaceReason.SameAddress => "Same address.",
        SharedPlaceReason.NearbyPoints => FormattableString.Invariant($"Locations {DistanceMeters:F0} m apart."),
        _ => Reason.ToString(),
    };
}

/// <summary>
/// Two planned operations overlap in area and time. <see cref="ClearanceMeters"/> is the distance between the
/// circles' edges: negative when they overlap, zero when they touch.
/// </summary>
public sealed record OperationConflictHit(double CenterDistanceMeters, double ClearanceMeters, TimeWindow? SharedWindow)
{
    public string Describe() => ClearanceMeters <= 0
        ? FormattableString.Invariant($"Operation areas overlap by {-ClearanceMeters:F0} m (centres {CenterDistanceMeters:F0} m apart) and their times overlap.")
        : FormattableString.Invariant($"Operation areas are {ClearanceMeters:F0} m apart, inside the safety buffer, and their times overlap.");
}

/// <summary>A subject's known location lies inside another agency's planned operation, in its window.</summary>
public sealed record SubjectInOperationHit(double DistanceFromCenterMeters, string? SubjectRef)
{
    public string Describe() => FormattableString.Invariant($"A subject's location is {DistanceFromCenterMeters:F0} m from the operation's centre, inside its area and window.");
}

/// <summary>The deconfliction rules for phones, places and operations: pure decisions on normalized records.</summary>
public static class DeconflictionRules
{
    /// <summary>Same E.164 number and overlapping validity (a recycled number in disjoint periods is no hit).</summary>
    public static SharedPhoneHit? SharedPhone(NormalizedPhone a, NormalizedPhone b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.E164 != b.E164 || a.Validity.Intersect(b.Validity) is not { } shared)
        {
            return null;
        }

        return new SharedPhoneHit(a.E164, shared, a.SubjectRef, b.SubjectRef);
    }

    /// <summary>Same normalized address, or points at most <paramref name="maxDistanceMeters"/> apart.</summary>
    public static SharedPlaceHit? SharedPlace(NormalizedPlace a, NormalizedPlace b, double maxDistanceMeters)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        double? distance = a.Point is { } p && b.Point is { } q ? p.DistanceTo(q) : null;
        if (a.Address is { } x && b.Address is { } y && x.IsSamePlace(y))
        {
            return new SharedPlaceHit(SharedPlaceReason.SameAddress, distance, a.SubjectRef, b.SubjectRef);
        }

        return distance <= maxDistanceMeters
            ? new SharedPlaceHit(SharedPlaceReason.NearbyPoints, distance, a.SubjectRef, b.SubjectRef)
            : null;
    }

    /// <summary>
    /// Circles that intersect or touch (centre distance ≤ r1 + r2 + buffer) and windows that overlap or touch
    /// (widened by the time buffer).
    /// </summary>
    public static OperationConflictHit? OperationConflict(PlannedOperation a, PlannedOperation b, double bufferMeters = 0, TimeSpan bufferTime = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Window.Widen(bufferTime).Overlaps(b.Window))
        {
            return null;
        }

        var distance = a.Center.DistanceTo(b.Center);
        var clearance = distance - a.RadiusMeters - b.RadiusMeters;
        // A millimetre of tolerance: touching circles must not be lost to floating-point rounding.
        return clearance <= bufferMeters + 1e-3
            ? new OperationConflictHit(distance, clearance, a.Window.Intersect(b.Window))
            : null;
    }

    /// <summary>The place's point is inside the operation's circle (edge included) and its validity overlaps the window.</summary>
    public static SubjectInOperationHit? SubjectInOperation(NormalizedPlace place, PlannedOperation operation)
    {
        ArgumentNullException.ThrowIfNull(place);
        ArgumentNullException.ThrowIfNull(operation);
        if (place.Point is not { } point || !place.Validity.Overlaps(operation.Window))
        {
            return null;
        }

        var distance = point.DistanceTo(operation.Center);
        return distance <= operation.RadiusMeters + 1e-3 ? new SubjectInOperationHit(distance, place.SubjectRef) : null;
    }
}
