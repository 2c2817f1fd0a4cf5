using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Tests;

public sealed class PartialDateTests
{
    [Theory]
    [InlineData("1988", 1988, null, null)]
    [InlineData("1988-03", 1988, 3, null)]
    [InlineData("1988-03-14", 1988, 3, 14)]
    [InlineData("19880314", 1988, 3, 14)]
    [InlineData("198803", 1988, 3, null)]
    [InlineData(" 1988-03-14 ", 1988, 3, 14)]
    public void TryParse_FullOrPartialIso_ParsesComponents(string text, int year, int? month, int? day)
    {
        Assert.True(PartialDate.TryParse(text, out var date));
        Assert.Equal((year, month, day), (date.Year, date.Month, date.Day));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1988-13")]
    [InlineData("1988-02-30")]
    [InlineData("19881332")]
    [InlineData("14/03/1988")]
    [InlineData("88")]
    [InlineData("1700-01-01")]
    public void TryParse_MalformedOrImpossible_False(string text) => Assert.False(PartialDate.TryParse(text, out _));

    [Theory]
    [InlineData("1988-03-14", "1988-03-14", DateAgreement.Exact)]
    [InlineData("1988-03-04", "1988-04-03", DateAgreement.Transposed)]
    [InlineData("1988-03-14", "1988-03-15", DateAgreement.Close)]
    [InlineData("1988-03-14", "1989-03-14", DateAgreement.YearOff)]
    [InlineData("1989-03-14", "1990-03-14", DateAgreement.YearOff)]
    [InlineData("1990-07-02", "1989-07-02", DateAgreement.YearOff)]
    [InlineData("1989-03-14", "1991-03-14", DateAgreement.Disagree)]
    [InlineData("1989-03-14", "1990-03-15", DateAgreement.Disagree)]
    [InlineData("1988-03-14", "1988-03-41", DateAgreement.Missing)]
    [InlineData("1988-12-14", "1988-21-14", DateAgreement.Missing)]
    [InlineData("1988-03-14", "1998-03-14", DateAgreement.Close)]
    [InlineData("1988-03-14", "1979-11-02", DateAgreement.Disagree)]
    [InlineData("1988", "1988-03-14", DateAgreement.Partial)]
    [InlineData("1988-03", "1988-03-14", DateAgreement.Partial)]
    [InlineData("1988-04", "1988-03-14", DateAgreement.Disagree)]
    [InlineData("1987", "1988-03-14", DateAgreement.Disagree)]
    [InlineData("", "1988-03-14", DateAgreement.Missing)]
    public void Compare_Pairs_ExpectedLevel(string a, string b, DateAgreement expected) =>
        Assert.Equal(expected, PartialDate.Compare(PartialDate.ParseOrNull(a), PartialDate.ParseOrNull(b)));

    [Fact]
    public void Compare_AdjacentDigitsSwappedInYear_Close() =>
        Assert.Equal(DateAgreement.Close, PartialDate.Compare(PartialDate.Create(1989, 3, 14), PartialDate.Create(1998, 3, 14)));

    [Fact]
    public void Compare_SameDayAndMonthTransposition_ExactNotTransposed() =>
        Assert.Equal(DateAgreement.Exact, PartialDate.Compare(PartialDate.Create(1988, 5, 5), PartialDate.Create(1988, 5, 5)));

    [Fact]
    public void ToString_Partial_IsoPrefix() => Assert.Equal("1988-03", PartialDate.Create(1988, 3).ToString());
}

public sealed class PhoneNormalizerTests
{
    private readonly PhoneNormalizer _normalizer = new("US");

    [Theory]
    [InlineData("(713) 555-0199", "+17135550199")]
    [InlineData("713.555.0199", "+17135550199")]
    [InlineData("+1 713 555 0199", "+17135550199")]
    [InlineData("011 52 55 1234 5678", "+525512345678")]
    [InlineData("+52 55 1234 5678", "+525512345678")]
    public void TryNormalize_VariousWritings_SameE164(string number, string expected)
    {
        Assert.True(_normalizer.TryNormalize(number, out var e164));
        Assert.Equal(expected, e164);
    }

    [Fact]
    public void TryNormalize_NationalNumberInOtherRegion_UsesGivenRegion()
    {
        Assert.True(_normalizer.TryNormalize("55 1234 5678", out var e164, region: "MX"));
        Assert.Equal("+525512345678", e164);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("not a phone")]
    public void TryNormalize_Impossible_False(string number) => Assert.False(_normalizer.TryNormalize(number, out _));

    [Fact]
    public void Constructor_UnknownRegion_Throws() => Assert.Throws<ArgumentException>(() => new PhoneNormalizer("XX"));
}

public sealed class AddressNormalizerTests
{
    [Theory]
    [InlineData("1200 Main Street Apt 4", "1200 MAIN ST #4")]
    [InlineData("1200 Main Street Apartment 4", "1200 main st unit 4")]
    [InlineData("1200 Main St. Suite 4", "1200 MAIN ST STE 4")]
    [InlineData("1200 Main St No. 4", "1200 Main Street # 4")]
    [InlineData("500 North Harrisburg Boulevard", "500 N HARRISBURG BLVD")]
    [InlineData("12 Avenida Juárez", "12 Ave Juarez")]
    [InlineData("7 First Avenue", "7 1st Ave")]
    [InlineData("3 Wallaby Place", "3 wallaby pl")]
    [InlineData("88 Telephone Road", "88 telephone rd")]
    public void Normalize_AbbreviationsAndUnits_SameKey(string a, string b) =>
        Assert.Equal(AddressNormalizer.Normalize(a).Key, AddressNormalizer.Normalize(b).Key);

    [Fact]
    public void Normalize_UnitDesignator_BecomesHashUnit() =>
        Assert.Equal("1200 main st #4", AddressNormalizer.Normalize("1200 Main Street Apt 4").Key);

    [Fact]
    public void Normalize_UnitLetter_NotReadAsStreetType() =>
        Assert.Equal("1200 main st #c", AddressNormalizer.Normalize("1200 Main St Apt C").StreetKey);

    [Fact]
    public void Normalize_WithLocality_SplitsStreetLineAndPostcode()
    {
        var address = AddressNormalizer.Normalize("1200 Main St, Houston, Texas 77002-1234");

        Assert.Equal("1200 main st", address.StreetKey);
        Assert.Equal("77002", address.Postcode);
        Assert.Equal("1200 main st, houston tx 77002", address.Key);
    }

    [Fact]
    public void Normalize_SingleLineWithoutCommas_StreetEndsAfterUnit()
    {
        var address = AddressNormalizer.Normalize("1200 MAIN ST #4 HOUSTON TX 77002");

        Assert.Equal("1200 main st #4", address.StreetKey);
        Assert.Equal("77002", address.Postcode);
    }

    [Fact]
    public void Normalize_StateNameInStreet_NotAbbreviated() =>
        Assert.Equal("10 washington ave", AddressNormalizer.Normalize("10 Washington Avenue").StreetKey);

    [Fact]
    public void IsSamePlace_SameStreetLineOneWithoutCity_True() =>
        Assert.True(AddressNormalizer.Normalize("1200 Main Street Apt 4").IsSamePlace(AddressNormalizer.Normalize("1200 MAIN ST #4, Houston TX 77002")));

    [Fact]
    public void IsSamePlace_DifferentPostcodes_False() =>
        Assert.False(AddressNormalizer.Normalize("1200 Main St, 77002").IsSamePlace(AddressNormalizer.Normalize("1200 Main St, 64106")));

    [Fact]
    public void IsSamePlace_DifferentCitiesNoPostcodes_False() =>
        Assert.False(AddressNormalizer.Normalize("1200 Main St, Houston").IsSamePlace(AddressNormalizer.Normalize("1200 Main St, Dallas")));

    [Fact]
    public void IsSamePlace_DifferentUnits_False() =>
        Assert.False(AddressNormalizer.Normalize("1200 Main St Apt 4").IsSamePlace(AddressNormalizer.Normalize("1200 Main St Apt 5")));
}

public sealed class GeoPointTests
{
    [Fact]
    public void DistanceTo_HoustonToKansasCity_AboutGreatCircleDistance()
    {
        var houston = GeoPoint.Create(29.7604, -95.3698);
        var kansasCity = GeoPoint.Create(39.0997, -94.5786);

        // Great-circle distance on the mean-radius sphere: about 1,040 km.
        Assert.InRange(houston.DistanceTo(kansasCity), 1_035_000, 1_045_000);
    }

    [Fact]
    public void DistanceTo_OneThousandthDegreeOfLatitude_About111Metres() =>
        Assert.Equal(111.2, GeoPoint.Create(29.0, -95.0).DistanceTo(GeoPoint.Create(29.001, -95.0)), 1);

    [Fact]
    public void DistanceTo_AcrossAntimeridian_ShortWay() =>
        Assert.InRange(GeoPoint.Create(0, 179.999).DistanceTo(GeoPoint.Create(0, -179.999)), 200, 250);

    [Theory]
    [InlineData(91, 0)]
    [InlineData(-91, 0)]
    [InlineData(0, 181)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, double.PositiveInfinity)]
    public void TryCreate_OutOfRangeOrNotFinite_False(double latitude, double longitude) =>
        Assert.False(GeoPoint.TryCreate(latitude, longitude, out _));

    [Fact]
    public void Create_BadLatitude_ThrowsNamingLatitude() =>
        Assert.Equal("latitude", Assert.Throws<ArgumentOutOfRangeException>(() => GeoPoint.Create(95, 0)).ParamName);
}
