using SharingHub.Matching.Blocking;
using SharingHub.Matching.Normalization;
using SharingHub.Matching.Rules;

namespace SharingHub.Matching.Tests;

public sealed class GeohashTests
{
    [Theory]
    [InlineData(57.64911, 10.40744, 11, "u4pruydqqvj")]
    [InlineData(29.7604, -95.3698, 5, "9vk1m")]
    [InlineData(-33.8688, 151.2093, 6, "r3gx2f")]
    public void Encode_KnownPoints_KnownHashes(double latitude, double longitude, int precision, string expected) =>
        Assert.Equal(expected, Geohash.Encode(GeoPoint.Create(latitude, longitude), precision));

    [Fact]
    public void Cover_SmallRadiusInsideOneCell_ContainsTheCentreCell()
    {
        var center = GeoPoint.Create(29.7604, -95.3698);

        Assert.Contains(Geohash.Encode(center, 5), Geohash.Cover(center, 10, 5));
    }

    [Fact]
    public void Cover_RadiusLargerThanCell_CoversEveryPointOnTheCircle()
    {
        var center = GeoPoint.Create(29.7604, -95.3698);
        var cover = Geohash.Cover(center, 12_000, 6).ToHashSet();

        for (var bearing = 0; bearing < 360; bearing += 5)
        {
            var edge = Destination(center, 12_000, bearing);
            Assert.Contains(Geohash.Encode(edge, 6), cover);
        }
    }

    [Fact]
    public void Cover_CircleAcrossAntimeridian_WrapsLongitude()
    {
        var cover = Geohash.Cover(GeoPoint.Create(0, 179.99), 5_000, 5);

        Assert.Contains(Geohash.Encode(GeoPoint.Create(0, -179.99), 5), cover);
    }

    [Fact]
    public void CoverCount_EqualsCoverSize()
    {
        var center = GeoPoint.Create(39.0997, -94.5786);

        Assert.Equal(Geohash.Cover(center, 3_000, 6).Count, Geohash.CoverCount(center, 3_000, 6));
    }

    internal static GeoPoint Destination(GeoPoint start, double meters, double bearingDegrees)
    {
        var angular = meters / GeoPoint.EarthRadiusMeters;
        var bearing = bearingDegrees * Math.PI / 180;
        var lat1 = start.Latitude * Math.PI / 180;
        var lon1 = start.Longitude * Math.PI / 180;
        var lat2 = Math.Asin((Math.Sin(lat1) * Math.Cos(angular)) + (Math.Cos(lat1) * Math.Sin(angular) * Math.Cos(bearing)));
        var lon2 = lon1 + Math.Atan2(Math.Sin(bearing) * Math.Sin(angular) * Math.Cos(lat1), Math.Cos(angular) - (Math.Sin(lat1) * Math.Sin(lat2)));
        var longitude = ((lon2 * 180 / Math.PI) + 540) % 360 - 180;
        return GeoPoint.Create(lat2 * 180 / Math.PI, longitude);
    }
}

public sealed class OperationKeysTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static PlannedOperation Operation(GeoPoint center, double radius, DateTimeOffset start, TimeSpan length) =>
        new(center, radius, new TimeWindow(start, start + length));

    private static bool ShareKey(IReadOnlyList<string> a, IReadOnlyList<string> b, char prefix) =>
        a.Where(key => key[0] == prefix).Intersect(b.Where(key => key[0] == prefix)).Any();

    [Fact]
    public void ForOperation_ConflictingOperationsOfAllSizes_AlwaysShareAKey()
    {
        // Property check over many random pairs, radii from 20 m to 60 km and windows from 10 minutes to 90 days:
        // whenever the rule reports a conflict, blocking must have brought the two together.
        var random = new Random(20261201);
        var conflicts = 0;
        for (var i = 0; i < 3000; i++)
        {
            var center = GeoPoint.Create(-60 + (random.NextDouble() * 120), -180 + (random.NextDouble() * 360));
            var radiusA = Math.Pow(10, 1.3 + (random.NextDouble() * 3.5));
            var radiusB = Math.Pow(10, 1.3 + (random.NextDouble() * 3.5));
            var other = GeohashTests.Destination(center, random.NextDouble() * (radiusA + radiusB) * 1.2, random.NextDouble() * 360);
            var startA = Noon.AddMinutes(random.Next(0, 60 * 24 * 20));
            var startB = Noon.AddMinutes(random.Next(0, 60 * 24 * 20));
            var a = Operation(center, radiusA, startA, TimeSpan.FromMinutes(Math.Pow(10, 1 + (random.NextDouble() * 4.1))));
            var b = Operation(other, radiusB, startB, TimeSpan.FromMinutes(Math.Pow(10, 1 + (random.NextDouble() * 4.1))));
            if (DeconflictionRules.OperationConflict(a, b) is null)
            {
                continue;
            }

            conflicts++;
            Assert.True(ShareKey(BlockingKeys.ForOperation(a), BlockingKeys.ForOperation(b), 'o'), $"pair {i} conflicts but shares no key");
        }

        Assert.True(conflicts > 300, $"only {conflicts} conflicting pairs were generated");
    }

    [Fact]
    public void ForOperation_TouchingCirclesAndTouchingWindows_ShareAKey()
    {
        var center = GeoPoint.Create(29.7604, -95.3698);
        var a = Operation(center, 300, Noon.AddHours(-2), TimeSpan.FromHours(2));
        var b = Operation(GeohashTests.Destination(center, 500, 90), 200, Noon, TimeSpan.FromHours(2));

        Assert.NotNull(DeconflictionRules.OperationConflict(a, b));
        Assert.True(ShareKey(BlockingKeys.ForOperation(a), BlockingKeys.ForOperation(b), 'o'));
    }

    [Fact]
    public void ForOperation_SmallAndVeryLargeOperation_ShareAKeyAtTheCoarserLevel()
    {
        var center = GeoPoint.Create(39.0997, -94.5786);
        var small = Operation(GeohashTests.Destination(center, 30_000, 45), 50, Noon, TimeSpan.FromHours(1));
        var large = Operation(center, 40_000, Noon.AddDays(-10), TimeSpan.FromDays(30));

        Assert.NotNull(DeconflictionRules.OperationConflict(small, large));
        Assert.True(ShareKey(BlockingKeys.ForOperation(small), BlockingKeys.ForOperation(large), 'o'));
    }

    [Fact]
    public void ForOperation_TypicalOperation_FewKeys()
    {
        var keys = BlockingKeys.ForOperation(Operation(GeoPoint.Create(29.7604, -95.3698), 300, Noon, TimeSpan.FromHours(2)));

        Assert.InRange(keys.Count, 3, 40);
    }

    [Fact]
    public void ForOperation_WithBuffers_OperationsWithinBufferShareAKey()
    {
        var center = GeoPoint.Create(29.7604, -95.3698);
        var a = Operation(center, 100, Noon, TimeSpan.FromHours(1));
        var b = Operation(GeohashTests.Destination(center, 2_000, 0), 100, Noon.AddHours(3), TimeSpan.FromHours(1));

        Assert.NotNull(DeconflictionRules.OperationConflict(a, b, bufferMeters: 2_000, bufferTime: TimeSpan.FromHours(2)));
        Assert.True(ShareKey(BlockingKeys.ForOperation(a, 2_000, TimeSpan.FromHours(2)), BlockingKeys.ForOperation(b, 2_000, TimeSpan.FromHours(2)), 'o'));
    }

    [Fact]
    public void ForPlace_PointInsideOperation_SharesAreaKeyWithIt()
    {
        var center = GeoPoint.Create(29.7604, -95.3698);
        var operation = Operation(center, 5_000, Noon, TimeSpan.FromHours(2));
        var place = new NormalizedPlace(null, GeohashTests.Destination(center, 4_900, 200), TimeWindow.Unbounded, "P-1");

        Assert.NotNull(DeconflictionRules.SubjectInOperation(place, operation));
        Assert.True(ShareKey(BlockingKeys.ForOperation(operation), BlockingKeys.ForPlace(place, 50), 'q'));
    }

    [Fact]
    public void ForPlace_PointsWithinSharedPlaceDistance_ShareANearbyKey()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var a = GeoPoint.Create(-60 + (random.NextDouble() * 120), -180 + (random.NextDouble() * 360));
            var b = GeohashTests.Destination(a, random.NextDouble() * 50, random.NextDouble() * 360);
            var keysA = BlockingKeys.ForPlace(new NormalizedPlace(null, a, TimeWindow.Unbounded, null), 50);
            var keysB = BlockingKeys.ForPlace(new NormalizedPlace(null, b, TimeWindow.Unbounded, null), 50);

            Assert.True(ShareKey(keysA, keysB, 'g'), $"points {a} and {b} share no nearby key");
        }
    }

    [Fact]
    public void ForPlace_SameStreetLine_SharesAddressKey()
    {
        var a = new NormalizedPlace(AddressNormalizer.Normalize("1200 Main Street Apt 4"), null, TimeWindow.Unbounded, null);
        var b = new NormalizedPlace(AddressNormalizer.Normalize("1200 MAIN ST #4, Houston TX"), null, TimeWindow.Unbounded, null);

        Assert.Equal(BlockingKeys.ForPlace(a, 50), BlockingKeys.ForPlace(b, 50));
    }
}

public sealed class PersonKeysTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    [Fact]
    public void ForPerson_FullRecord_EmitsEveryKeyKind()
    {
        var evidence = _engine.BuildPersonEvidence(
            new PersonInput("María José", "García López", BirthDate: "1988-03-14", Identifiers: [new IdentifierInput("SSN", "123-45-6789")]),
            [new PhoneInput("(713) 555-0199")],
            [new PlaceInput("1200 Main Street Apt 4, Houston TX 77002")]);

        var keys = _engine.PersonKeys(evidence);

        Assert.Contains("n:KRS:1988", keys);
        Assert.Contains("n:LPS:1988", keys);
        Assert.Contains("m:KRS:1988:m", keys);
        Assert.Contains("m:KRS:1988:j", keys);
        Assert.Contains("d:m:19880314", keys);
        Assert.Contains("x:ssn:123456789", keys);
        Assert.Contains("y:ssn:12346789", keys);
        Assert.Contains("p:+17135550199", keys);
        Assert.Contains("a:1200 main st #4", keys);
        Assert.Contains("z:KRS:77002", keys);
        Assert.Contains("z:LPS:77002", keys);
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Theory]
    [InlineData("Maria", "Garcia", "1988")]
    [InlineData("Maria J.", "Lopez", "1988-03-14")]
    [InlineData(null, "GARCIA-LOPEZ, MARIA", "1988-03")]
    [InlineData("Garcia Lopez", "Maria Jose", "1988-03-14")]
    public void ForPerson_VariantsOfTheSamePerson_ShareAKey(string? given, string surname, string birth)
    {
        var original = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("María José", "García López", BirthDate: "1988-03-14")));
        var variant = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput(given, surname, BirthDate: birth)));

        Assert.NotEmpty(original.Intersect(variant));
    }

    [Theory]
    [InlineData("William", "Bill")]
    [InlineData("José", "Pepe")]
    [InlineData("Francisco", "Paco")]
    [InlineData("Guadalupe", "Lupe")]
    [InlineData("Robert", "R.")]
    [InlineData("María José", "Maria")]
    public void ForPerson_SameSurnameAndYear_GivenNameVariants_ShareANarrowKey(string given, string variant)
    {
        var a = NarrowKeys(given, "Smith", "1975-03-02");
        var b = NarrowKeys(variant, "Smyth", "1975-11-20");

        Assert.NotEmpty(a.Intersect(b));
    }

    [Fact]
    public void ForPerson_SameSurnameAndYear_UnrelatedGivenNames_NoNarrowKeyInCommon()
    {
        var a = NarrowKeys("Robert", "Smith", "1975-03-02");
        var b = NarrowKeys("Linda", "Smith", "1975-03-02");

        Assert.NotEmpty(a);
        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void ForPerson_NoBirthDate_NoCoarseOrNarrowSurnameKey()
    {
        var keys = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("Robert", "Smith")));

        Assert.DoesNotContain(keys, key => key.StartsWith("n:", StringComparison.Ordinal) || key.StartsWith("m:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("n:SM0:1975", true)]
    [InlineData("v:smith:ro", true)]
    [InlineData("m:SM0:1975:r", false)]
    [InlineData("d:r:19750302", false)]
    [InlineData("p:+17135550199", false)]
    public void IsCoarse_SurnameYearAndDateFreeKeys(string key, bool coarse) => Assert.Equal(coarse, BlockingKeys.IsCoarse(key));

    private IEnumerable<string> NarrowKeys(string given, string surname, string birth) =>
        _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput(given, surname, BirthDate: birth)))
            .Where(key => key.StartsWith("m:SM0:1975:", StringComparison.Ordinal));

    [Fact]
    public void ForPerson_IdentifierWithOneTypo_SharesADeletionKey()
    {
        var a = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "4137877")])));
        var b = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("C", "D", Identifiers: [new IdentifierInput("ssn", "4137787")])));

        Assert.Contains(a.Where(key => key.StartsWith("y:", StringComparison.Ordinal)), b.Contains);
    }

    [Fact]
    public void ForPerson_SameIdentifierValueOfDifferentType_NoSharedIdentifierKey()
    {
        var a = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("A", "B", Identifiers: [new IdentifierInput("ssn", "123456789")])));
        var b = _engine.PersonKeys(_engine.BuildPersonEvidence(new PersonInput("C", "D", Identifiers: [new IdentifierInput("passport:mx", "123456789")])));

        Assert.Empty(a.Intersect(b));
    }
}
