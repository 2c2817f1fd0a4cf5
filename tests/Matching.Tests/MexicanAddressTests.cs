using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Tests;

/// <summary>Issue 11 item 6: a Mexican address abbreviated or in full, with or without accents, gives one key.</summary>
public sealed class MexicanAddressTests
{
    [Theory]
    [InlineData("Avenida Miguel Alemán 415 Departamento 7, Colonia Longoria, 88660 Reynosa, Tamaulipas")]
    [InlineData("Av. Miguel Alemán No. 415 Depto. 7, Col. Longoria, C.P. 88660, Reynosa, Tamps.")]
    [InlineData("Av. Miguel Aleman #415-7, Col. Longoria, CP 88660, Reynosa, Tamps., México")]
    [InlineData("415 AV MIGUEL ALEMAN DPTO 7 COL LONGORIA REYNOSA TAMPS 88660 MX")]
    [InlineData("AVENIDA MIGUEL ALEMAN NUM 415 INT 7, COLONIA LONGORIA, REYNOSA, TAM. 88660")]
    [InlineData("Ave. Miguel Alemán Número 415 Dpto. 7, Col. Longoria, Código Postal 88660, Reynosa, Tamaulipas, Mexico")]
    public void Normalize_ReynosaWritings_OneKey(string written)
    {
        var address = AddressNormalizer.Normalize(written);

        Assert.Equal("415 ave miguel aleman #7", address.StreetKey);
        Assert.Equal("88660", address.Postcode);
        Assert.Equal(["88660", "longoria", "reynosa", "tamps"], address.LocalityTokens.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Calle Pino Suárez 1020, Colonia Centro, 64000 Monterrey, Nuevo León", "nl")]
    [InlineData("C. Pino Suarez No. 1020, Col. Centro, C.P. 64000, Monterrey, N.L.", "nl")]
    [InlineData("Pino Suárez No. 1020, Col. Centro, C.P. 64000, Monterrey, N. L.", "nl")]
    [InlineData("1020 C PINO SUAREZ COL CENTRO MONTERREY NL 64000 MX", "nl")]
    [InlineData("Pino Suarez #1020, Col. Centro, CP 64000, Monterrey, Nvo. León, México", "nl")]
    public void Normalize_CalleWrittenOrLeftOut_SameStreetAndState(string written, string state)
    {
        var address = AddressNormalizer.Normalize(written);

        Assert.Equal("1020 pino suarez", address.StreetKey);
        Assert.Contains(state, address.LocalityTokens);
        Assert.DoesNotContain("centro", address.StreetTokens);
    }

    [Theory]
    [InlineData("Blvd. Venustiano Carranza 2250, Col. República, Saltillo, Coah.", "Bulevar Venustiano Carranza No. 2250, Colonia República, Saltillo, Coahuila")]
    [InlineData("Priv. Los Olivos 18, Fracc. Las Fuentes, Cd. Juárez, Chih.", "Privada Los Olivos 18, Fraccionamiento Las Fuentes, Cd. Juárez, Chihuahua")]
    [InlineData("Calz. Independencia 300, Col. Obrera, Chihuahua, Chih.", "Calzada Independencia No. 300, Col. Obrera, Chihuahua, Chihuahua")]
    [InlineData("Prol. Morelos 77, Col. Jardín, Matamoros, Tamps.", "Prolongación Morelos #77, Col. Jardín, Matamoros, Tamaulipas, MX")]
    public void Normalize_AbbreviatedAndFullForms_SamePlace(string abbreviated, string full)
    {
        var (a, b) = (AddressNormalizer.Normalize(abbreviated), AddressNormalizer.Normalize(full));

        Assert.Equal(a.StreetKey, b.StreetKey);
        Assert.True(a.IsSamePlace(b), $"'{a.Key}' and '{b.Key}' should be the same place");
    }

    [Fact]
    public void Normalize_DifferentExteriorNumbers_DifferentPlaces() =>
        Assert.False(AddressNormalizer.Normalize("Av. Hidalgo No. 1234, Col. Centro, Reynosa, Tamps.")
            .IsSamePlace(AddressNormalizer.Normalize("Avenida Hidalgo 1243, Colonia Centro, Reynosa, Tamaulipas")));

    [Fact]
    public void Normalize_StreetNameWithNumber_LastNumberIsTheExteriorOne() =>
        Assert.Equal("123 5 de mayo #3", AddressNormalizer.Normalize("Calle 5 de Mayo 123 Depto. 3, Col. Centro, Matamoros, Tamps.").StreetKey);

    [Theory]
    [InlineData("1200 Main St No. 4, Laredo, TX 78040", "1200 main st #4")]       // a US unit written "No." stays a unit
    [InlineData("1200 Main Street Apt 4, Laredo, Texas 78040", "1200 main st #4")]
    [InlineData("200 Calle Ocho, Laredo, TX 78040", "200 calle ocho")]             // a US street line keeps its calle
    public void Normalize_UsAddresses_Unchanged(string written, string expected) =>
        Assert.Equal(expected, AddressNormalizer.Normalize(written).StreetKey);

    [Fact]
    public void Normalize_NewMexico_CountryWordKept() =>
        Assert.Contains("mexico", AddressNormalizer.Normalize("500 Central Ave, Albuquerque, New Mexico").LocalityTokens);

    private static readonly string[] Kinds = ["street", "number", "unit", "colonia", "postcode", "state", "country"];

    [Fact]
    public void Vocabulary_EmbeddedFile_HasEveryKind()
    {
        var vocabulary = MexicanAddressVocabulary.Default;

        Assert.All(Kinds, kind => Assert.NotEmpty(vocabulary.OfKind(kind)));
        Assert.Equal("nl", vocabulary.Phrases["nuevo leon"]);
    }

    [Fact]
    public void Vocabulary_UnknownKind_FormatExceptionWithLine()
    {
        var error = Assert.Throws<FormatException>(() => MexicanAddressVocabulary.Parse(new StringReader("kind,canonical,variants\nalley,aly,callejon")));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }
}
