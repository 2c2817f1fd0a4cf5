using SharingHub.Matching.Normalization;
using SharingHub.Matching.Rules;

namespace SharingHub.Matching.Tests;

public sealed class SharedPhoneTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    private NormalizedPhone Phone(string number, string? from, string? to, string subject) =>
        _engine.NormalizePhone(new PhoneInput(number, from is null ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            to is null ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), subject));

    [Fact]
    public void MatchPhones_SameNumberOverlappingPeriods_HitNamingBothSubjects()
    {
        var hit = _engine.MatchPhones(Phone("(713) 555-0199", "2025-01-01", "2025-12-31", "A-1"), Phone("+1 713 555 0199", "2025-06-01", null, "B-7"));

        Assert.NotNull(hit);
        Assert.Equal("+17135550199", hit.E164);
        Assert.Equal(("A-1", "B-7"), (hit.SubjectRefA, hit.SubjectRefB));
        Assert.Equal(new DateRange(new DateOnly(2025, 6, 1), new DateOnly(2025, 12, 31)), hit.SharedPeriod);
    }

    [Fact]
    public void MatchPhones_RecycledNumberDisjointPeriods_NoHit() =>
        Assert.Null(_engine.MatchPhones(Phone("7135550199", "2020-01-01", "2021-12-31", "A-1"), Phone("7135550199", "2024-01-01", null, "B-7")));

    [Fact]
    public void MatchPhones_PeriodsSharingOneDay_Hit() =>
        Assert.NotNull(_engine.MatchPhones(Phone("7135550199", "2020-01-01", "2021-12-31", "A-1"), Phone("7135550199", "2021-12-31", null, "B-7")));

    [Fact]
    public void MatchPhones_BothOpenEnded_Hit() =>
        Assert.NotNull(_engine.MatchPhones(Phone("7135550199", null, null, "A-1"), Phone("7135550199", "2026-01-01", null, "B-7")));

    [Fact]
    public void MatchPhones_OpenStartEndingBeforeOtherStarts_NoHit() =>
        Assert.Null(_engine.MatchPhones(Phone("7135550199", null, "2019-05-01", "A-1"), Phone("7135550199", "2019-05-02", null, "B-7")));

    [Fact]
    public void MatchPhones_DifferentNumbers_NoHit() =>
        Assert.Null(_engine.MatchPhones(Phone("7135550199", null, null, "A-1"), Phone("7135550198", null, null, "B-7")));

    [Fact]
    public void NormalizePhone_ImpossibleNumber_ThrowsNamingField() =>
        Assert.Equal("number", Assert.Throws<InvalidMatchingInputException>(() => Phone("12", null, null, "A")).Field);

    [Fact]
    public void NormalizePhone_EndBeforeStart_ThrowsNamingField() =>
        Assert.Equal("validTo", Assert.Throws<InvalidMatchingInputException>(() => Phone("7135550199", "2026-01-02", "2026-01-01", "A")).Field);
}

public sealed class SharedPlaceTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    [Fact]
    public void MatchPlaces_SameAddressDifferentlyWritten_SameAddressHit()
    {
        var hit = _engine.MatchPlaces(_engine.NormalizePlace(new PlaceInput("1200 Main Street Apt 4", SubjectRef: "A-1")),
            _engine.NormalizePlace(new PlaceInput("1200 MAIN ST #4, Houston, TX 77002", SubjectRef: "B-2")));

        Assert.NotNull(hit);
        Assert.Equal(SharedPlaceReason.SameAddress, hit.Reason);
        Assert.Equal(("A-1", "B-2"), (hit.SubjectRefA, hit.SubjectRefB));
    }

    [Fact]
    public void MatchPlaces_PointsWithinConfiguredDistance_NearbyHit()
    {
        var hit = _engine.MatchPlaces(_engine.NormalizePlace(new PlaceInput(null, 29.7530, -95.3600)),
            _engine.NormalizePlace(new PlaceInput(null, 29.7533, -95.3600)));

        Assert.NotNull(hit);
        Assert.Equal(SharedPlaceReason.NearbyPoints, hit.Reason);
        Assert.InRange(hit.DistanceMeters!.Value, 30, 40);
    }

    [Fact]
    public void MatchPlaces_PointsFartherThanConfiguredDistance_NoHit() =>
        Assert.Null(_engine.MatchPlaces(_engine.NormalizePlace(new PlaceInput(null, 29.7530, -95.3600)),
            _engine.NormalizePlace(new PlaceInput(null, 29.7540, -95.3600))));

    [Fact]
    public void MatchPlaces_LargerConfiguredDistance_Hit()
    {
        var engine = new MatchingEngine(new MatchingOptions { SharedPlaceDistanceMeters = 200 });

        Assert.NotNull(engine.MatchPlaces(engine.NormalizePlace(new PlaceInput(null, 29.7530, -95.3600)),
            engine.NormalizePlace(new PlaceInput(null, 29.7540, -95.3600))));
    }

    [Fact]
    public void NormalizePlace_NoAddressNoPoint_Throws() =>
        Assert.Throws<InvalidMatchingInputException>(() => _engine.NormalizePlace(new PlaceInput("  ")));

    [Fact]
    public void NormalizePlace_LatitudeWithoutLongitude_Throws() =>
        Assert.Throws<InvalidMatchingInputException>(() => _engine.NormalizePlace(new PlaceInput(null, 29.7, null)));
}

public sealed class OperationConflictTests
{
    private static readonly GeoPoint Center = GeoPoint.Create(29.7604, -95.3698);
    private static readonly DateTimeOffset Ten = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static PlannedOperation Op(GeoPoint center, double radius, DateTimeOffset start, double hours) =>
        new(center, radius, new TimeWindow(start, start.AddHours(hours)));

    [Fact]
    public void OperationConflict_OverlappingAreasAndTimes_HitWithNegativeClearance()
    {
        var hit = DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 400, 90), 300, Ten.AddHours(1), 2));

        Assert.NotNull(hit);
        Assert.Equal(-200, hit.ClearanceMeters, 0);
        Assert.Equal(new TimeWindow(Ten.AddHours(1), Ten.AddHours(2)), hit.SharedWindow);
    }

    [Fact]
    public void OperationConflict_CirclesTouching_Hit() =>
        Assert.NotNull(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 500, 0), 200, Ten, 2)));

    [Fact]
    public void OperationConflict_CirclesOneMetreApart_NoHit() =>
        Assert.Null(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 501, 0), 200, Ten, 2)));

    [Fact]
    public void OperationConflict_WindowsTouching_Hit() =>
        Assert.NotNull(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(Center, 300, Ten.AddHours(2), 2)));

    [Fact]
    public void OperationConflict_WindowsOneMinuteApart_NoHit() =>
        Assert.Null(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(Center, 300, Ten.AddHours(2).AddMinutes(1), 2)));

    [Fact]
    public void OperationConflict_SamePlaceDifferentDays_NoHit() =>
        Assert.Null(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(Center, 300, Ten.AddDays(1), 2)));

    [Fact]
    public void OperationConflict_SameTimeFarApart_NoHit() =>
        Assert.Null(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 5_000, 45), 300, Ten, 2)));

    [Fact]
    public void OperationConflict_OneInsideTheOther_Hit() =>
        Assert.NotNull(DeconflictionRules.OperationConflict(Op(Center, 5_000, Ten, 8), Op(GeohashTests.Destination(Center, 1_000, 10), 50, Ten.AddHours(3), 1)));

    [Fact]
    public void OperationConflict_ApartButWithinBuffers_Hit() =>
        Assert.NotNull(DeconflictionRules.OperationConflict(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 1_000, 0), 200, Ten.AddHours(2.5), 1),
            bufferMeters: 500, bufferTime: TimeSpan.FromHours(1)));

    [Fact]
    public void MatchOperations_EngineBuffersFromOptions_Applied()
    {
        var engine = new MatchingEngine(new MatchingOptions { OperationBufferMeters = 600 });

        Assert.NotNull(engine.MatchOperations(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 1_000, 0), 200, Ten, 2)));
        Assert.Null(MatchingEngine.CreateDefault().MatchOperations(Op(Center, 300, Ten, 2), Op(GeohashTests.Destination(Center, 1_000, 0), 200, Ten, 2)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(200_000)]
    public void NormalizeOperation_BadRadius_ThrowsNamingRadius(double radius) =>
        Assert.Equal("radiusMeters", Assert.Throws<InvalidMatchingInputException>(() =>
            MatchingEngine.CreateDefault().NormalizeOperation(new OperationInput(29.76, -95.37, radius, Ten, Ten.AddHours(1)))).Field);

    [Fact]
    public void NormalizeOperation_EndBeforeStart_Throws() =>
        Assert.Equal("endsAt", Assert.Throws<InvalidMatchingInputException>(() =>
            MatchingEngine.CreateDefault().NormalizeOperation(new OperationInput(29.76, -95.37, 100, Ten, Ten.AddHours(-1)))).Field);
}

public sealed class SubjectInOperationTests
{
    private static readonly GeoPoint Center = GeoPoint.Create(29.7604, -95.3698);
    private static readonly DateTimeOffset Ten = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly PlannedOperation Operation = new(Center, 300, new TimeWindow(Ten, Ten.AddHours(2)));

    private static NormalizedPlace Place(GeoPoint? point, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new(null, point, new TimeWindow(from, to), "S-9");

    [Fact]
    public void SubjectInOperation_InsideAreaNoValidity_HitNamingSubject()
    {
        var hit = DeconflictionRules.SubjectInOperation(Place(GeohashTests.Destination(Center, 250, 30)), Operation);

        Assert.NotNull(hit);
        Assert.Equal("S-9", hit.SubjectRef);
        Assert.Equal(250, hit.DistanceFromCenterMeters, 0);
    }

    [Fact]
    public void SubjectInOperation_OnTheEdge_Hit() =>
        Assert.NotNull(DeconflictionRules.SubjectInOperation(Place(GeohashTests.Destination(Center, 300, 120)), Operation));

    [Fact]
    public void SubjectInOperation_OutsideArea_NoHit() =>
        Assert.Null(DeconflictionRules.SubjectInOperation(Place(GeohashTests.Destination(Center, 301, 120)), Operation));

    [Fact]
    public void SubjectInOperation_InsideAreaValidityEndedBeforeWindow_NoHit() =>
        Assert.Null(DeconflictionRules.SubjectInOperation(Place(Center, Ten.AddDays(-30), Ten.AddDays(-1)), Operation));

    [Fact]
    public void SubjectInOperation_InsideAreaValidityStartsAfterWindow_NoHit() =>
        Assert.Null(DeconflictionRules.SubjectInOperation(Place(Center, Ten.AddHours(3)), Operation));

    [Fact]
    public void SubjectInOperation_InsideAreaValidityOpenEndedFromBefore_Hit() =>
        Assert.NotNull(DeconflictionRules.SubjectInOperation(Place(Center, Ten.AddYears(-1)), Operation));

    [Fact]
    public void SubjectInOperation_AddressOnlyPlace_NoHit() =>
        Assert.Null(DeconflictionRules.SubjectInOperation(new NormalizedPlace(AddressNormalizer.Normalize("1 Main St"), null, TimeWindow.Unbounded, "S"), Operation));
}
