using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.Records;
using SharingHub.Matching;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Precomputed matching features (issue 14, ADR-005): written with the record (a person's whole evidence, with what
/// points to it, by the key writer in the same transaction), replaced when it or what points to it changes, and filled
/// in for rows that have none (stored before the migration) or stale ones, without missing a match.
/// </summary>
public sealed class DeconflictionFeaturesTests(DeconflictionFixture hub) : IClassFixture<DeconflictionFixture>
{
    [Fact]
    public async Task Store_PersonPhoneAndPlace_CurrentFeaturesWrittenWithTheRecords()
    {
        var a = await hub.AddAgencyAsync("A");
        await a.PublishAsync(Records.Person("P-1", "María José", "García López", "1988-03-14"),
            Records.Phone("T-1", "P-1", "+17135550199"), Records.Place("L-1", "P-1", "1200 Main Street Apt 4, Houston, TX 77002"));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "L-1");

        var engine = Engine();
        var features = await FeaturesAsync(a.Code);
        var person = engine.ReadPersonFeatures(features["P-1"]!);
        Assert.NotNull(person);
        Assert.Equal("mariajose/garcialopez", $"{person.Names[0].Given.Joined}/{person.Names[0].Surname.Joined}");
        Assert.Equal(["+17135550199"], person.Phones.Select(p => p.E164));
        Assert.Equal(["1200 main st #4, houston tx 77002"], person.Addresses.Select(p => p.Key));
        Assert.True(engine.TryReadPhoneFeatures(features["T-1"]!, out var phone));
        Assert.Equal("+17135550199", phone!.E164);
        Assert.Equal("1200 main st #4, houston tx 77002", engine.ReadAddressFeatures(features["L-1"]!)!.Key);
    }

    [Fact]
    public async Task Store_Person_FeaturesAreExactlyThoseOfItsStoredFieldsAndWhatPointsToIt()
    {
        // Written by the key writer in the store's transaction: they must be byte for byte what the engine makes of the
        // fields as stored, aliases, a partial date, an identifier with its jurisdiction and all, with its phone and place.
        var a = await hub.AddAgencyAsync("A");
        var person = Records.Person("P-1", "Juan Pablo", "Cisneros Villalobos", "1979-11", aliases: ["JP Cisneros"]) with
        {
            PersonSex = PersonSex.Male,
            PersonOtherIdentifications = [new PersonIdentification { IdentificationCategoryText = "driverLicense", IdentificationID = "12345678", IdentificationJurisdictionText = "TX" }],
        };
        await a.PublishAsync(person, Records.Phone("T-1", "P-1", "+528995550142"), Records.Place("L-1", "P-1", "Av. Hidalgo No. 120, Col. Centro, C.P. 88000"));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "L-1");

        var engine = Engine();
        var features = await FeaturesAsync(a.Code);
        var expected = engine.PersonFeatures(engine.BuildPersonEvidence(new PersonInput("Juan Pablo", "Cisneros Villalobos", ["JP Cisneros"], "1979-11", "Male",
            [new IdentifierInput("driverLicense:TX", "12345678")]), [new PhoneInput("+528995550142", SubjectRef: "P-1")], [new PlaceInput("Av. Hidalgo No. 120, Col. Centro, C.P. 88000")]));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(features["P-1"]!));
        Assert.Equal(Convert.ToHexString(engine.PhoneFeatures("+528995550142")), Convert.ToHexString(features["T-1"]!));
        Assert.Equal(Convert.ToHexString(engine.AddressFeatures("Av. Hidalgo No. 120, Col. Centro, C.P. 88000")), Convert.ToHexString(features["L-1"]!));
    }

    [Fact]
    public async Task Store_ChangedPerson_FeaturesReplaced()
    {
        var a = await hub.AddAgencyAsync("A");
        await a.PublishAsync(Records.Person("P-1", "Rosa", "Vega", "1990-05-01"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        await a.PublishAsync(Records.Person("P-1", "Rosalinda", "Vega Ortiz", "1990-05-01", version: 2));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1", version: 2);

        var person = Engine().ReadPersonFeatures((await FeaturesAsync(a.Code))["P-1"]!);
        Assert.Equal("rosalinda/vegaortiz", $"{person!.Names[0].Given.Joined}/{person.Names[0].Surname.Joined}");
    }

    [Fact]
    public async Task Store_PhoneAddedThenWithdrawn_PersonFeaturesFollow()
    {
        var a = await hub.AddAgencyAsync("A");
        await a.PublishAsync(Records.Person("P-1", "Rosa", "Vega", "1990-05-01"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        Assert.Empty(Engine().ReadPersonFeatures((await FeaturesAsync(a.Code))["P-1"]!)!.Phones);

        await a.PublishAsync(Records.Phone("T-1", "P-1", "+17135550142"), Records.Place("L-1", "P-1", "1200 Main Street, Houston, TX 77002"));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "L-1");
        var person = Engine().ReadPersonFeatures((await FeaturesAsync(a.Code))["P-1"]!)!;
        Assert.Equal(["+17135550142"], person.Phones.Select(p => p.E164));
        Assert.Single(person.Addresses);

        await a.PublishAsync(Records.Withdrawal(RecordKind.Phone, "T-1", 2));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1", version: 2);
        person = Engine().ReadPersonFeatures((await FeaturesAsync(a.Code))["P-1"]!)!;
        Assert.Empty(person.Phones);
        Assert.Single(person.Addresses);
    }

    [Fact]
    public async Task Match_CandidatesWithoutOrWithStaleFeatures_FoundAsBeforeAndFeaturesWrittenBack()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await b.PublishAsync(Records.Person("P-1", "Leocadio", "Urquidi Zubieta", "1971-02-03"), Records.Phone("T-1", "P-1", "+17135550142"),
            Records.Person("P-2", "Evaristo", "Quintanilla", "1966-09-30"));
        // All three at rest first: a record still in flight is matched later as a source, and a source's features are
        // not written back (only a candidate's are), so the assertions below would depend on the order of arrival.
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "P-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "P-2");
        // As a hub upgraded from before the features: P-1 and its phone have none; P-2's were written by another
        // normalization (another stamp).
        var stale = (await FeaturesAsync(b.Code))["P-2"]!;
        stale[0] ^= 0xff;
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE records SET features = CASE WHEN local_id = 'P-2' THEN {1} END WHERE agency_code = {0}", b.Code, stale));

        await a.PublishAsync(Records.Person("X-1", "Leocadio", "Urquidi", "1971-02-03"), Records.Phone("X-T", "X-1", "+17135550142"),
            Records.Person("X-2", "Evaristo", "Quintanilla", "1966-09-30"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "X-2");

        var persons = (await hub.MatchesAsync(a, b)).Where(m => m.Match.Kind == MatchKind.PersonIdentity)
            .Select(m => string.CompareOrdinal(m.LocalIdA, m.LocalIdB) < 0 ? $"{m.LocalIdA}~{m.LocalIdB} {m.Match.Band}" : $"{m.LocalIdB}~{m.LocalIdA} {m.Match.Band}")
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["P-1~X-1 Match", "P-2~X-2 Match"], persons);
        var engine = Engine();
        var written = await FeaturesAsync(b.Code);
        // P-1's evidence put together again from its row and its phone's, as the key writer would have.
        Assert.Equal(["+17135550142"], engine.ReadPersonFeatures(written["P-1"]!)!.Phones.Select(p => p.E164));
        Assert.NotNull(engine.ReadPersonFeatures(written["P-2"]!));
        Assert.True(engine.TryReadPhoneFeatures(written["T-1"]!, out _));
    }

    [Fact]
    public async Task Match_CandidatesWithDamagedCurrentFeatures_ReadWholeAndFoundAsBefore()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await b.PublishAsync(Records.Person("P-1", "Leocadio", "Urquidi Zubieta", "1971-02-03"),
            Records.Place("L-1", "P-1", "Calle Independencia 221, Colonia Centro, 88000 Nuevo Laredo"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "P-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Location, "L-1");
        // Features with the current stamp that do not decode (a byte too many): the loader does not read the fields
        // that current features stand in for, so it must read these rows again whole.
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE records SET features = features || '\\x00'::bytea WHERE agency_code = {0}", b.Code));
        var damaged = await FeaturesAsync(b.Code);
        Assert.Null(Engine().ReadPersonFeatures(damaged["P-1"]!));
        Assert.Null(Engine().ReadAddressFeatures(damaged["L-1"]!));

        await a.PublishAsync(Records.Person("X-1", "Leocadio", "Urquidi", "1971-02-03"),
            Records.Place("X-L", "X-1", "Calle Independencia 221, Colonia Centro, 88000 Nuevo Laredo"));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "X-L");

        var found = (await hub.MatchesAsync(a, b))
            .Select(m => string.CompareOrdinal(m.LocalIdA, m.LocalIdB) < 0 ? $"{m.Match.Kind} {m.LocalIdA}~{m.LocalIdB}" : $"{m.Match.Kind} {m.LocalIdB}~{m.LocalIdA}")
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["PersonIdentity P-1~X-1", "SharedPlace L-1~X-L"], found);
    }

    private MatchingEngine Engine() => hub.App.Services.GetRequiredService<MatchingEngine>();

    private Task<Dictionary<string, byte[]?>> FeaturesAsync(string agency) => hub.App.WithDatabaseAsync(db =>
        (from r in db.Records.AsNoTracking()
         join f in db.Set<StoredRecordFeatures>() on r.Id equals f.Id
         where r.AgencyCode == agency
         select new { r.LocalId, f.Features })
            .ToDictionaryAsync(r => r.LocalId, r => (byte[]?)r.Features, TestContext.Current.CancellationToken));
}
