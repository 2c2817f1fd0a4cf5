using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The lookup caps, at their boundary. A coarse block (phonetic surname + birth year) with more records of other
/// agencies than <c>Deconfliction:CoarseKeyMaxCandidates</c> is not looked up: a pair that only that block joins is
/// dropped, while a pair its narrower keys (a given-name initial or nickname) also join is still found. A key shared
/// by more records than <c>Deconfliction:MaxCandidatesPerKey</c> is a stop key and yields no candidate at all.
/// The coarse cap is 10 here and the per-key cap 20, so a coarse block of 14 is over only the coarse cap; a block
/// of exactly the cap is looked up. A block met over its cap is noted as a stop key for the looking agency, and a
/// fresh note taken at the present caps spares the next lookup from reading it (ADR-005).
/// </summary>
public sealed class DeconflictionCoarseKeyTests(CoarseKeyFixture hub) : IClassFixture<CoarseKeyFixture>
{
    private static readonly string[] Others = ["Linda", "Mark", "Nancy", "Oscar", "Paul", "Quinn", "Tina", "Steve", "Tom", "Uma", "Victor", "Walter"];

    [Fact]
    public async Task PersonIdentity_CoarseBlockOverItsCap_PairOnlyItJoinsDroppedNicknamePairStillFound()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        // Agency B's "n:SM0:1975" block: twelve other Smiths born in 1975, Robert and Jeronimo (14 records).
        await b.PublishAsync([.. Others.Select((given, i) => Records.Person($"O-{i}", given, "Smith", $"1975-{i + 1:D2}-15")),
            Records.Person("R-1", "Robert", "Smith", "1975-03-02"), Records.Person("J-1", "Jeronimo", "Smith", "1975-07-11")]);
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "J-1");

        // Both with day and month swapped, so no given initial + full birth date key in common. Bob shares Robert's
        // nickname-narrowed key; Geronimo (initial g, not j) shares nothing with Jeronimo but the coarse block.
        await a.PublishAsync(Records.Person("P-1", "Bob", "Smith", "1975-02-03"), Records.Person("G-1", "Geronimo", "Smith", "1975-11-07"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "G-1");

        Assert.Equal(["n:SM0:1975"], await SharedKeysAsync(a, "G-1", b, "J-1"));
        Assert.Equal(14, await BlockSizeAsync("n:SM0:1975", b));
        var matches = await hub.MatchesAsync(a, b);
        var match = Assert.Single(matches);
        Assert.Equal(MatchKind.PersonIdentity, match.Match.Kind);
        Assert.Equal(("P-1", "R-1"), Ordered(match, a.Code));
    }

    [Fact]
    public async Task PersonIdentity_CoarseBlockAtItsCap_PairOnlyItJoinsFound()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        // The same pair as above in a block of exactly 10 records of other agencies: nine others and Jeronimo. (Another
        // surname than above: the class's tests share one hub, and candidates come from every other agency.)
        await b.PublishAsync([.. Others.Take(9).Select((given, i) => Records.Person($"O-{i}", given, "Okafor", $"1975-{i + 1:D2}-15")),
            Records.Person("J-1", "Jeronimo", "Okafor", "1975-07-11")]);
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "J-1");

        await a.PublishAsync(Records.Person("G-1", "Geronimo", "Okafor", "1975-11-07"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "G-1");

        var shared = Assert.Single(await SharedKeysAsync(a, "G-1", b, "J-1"));
        Assert.StartsWith("n:", shared, StringComparison.Ordinal);
        Assert.Equal(10, await hub.App.WithDatabaseAsync(db => db.Set<RecordKey>()
            .CountAsync(k => k.Key == shared && k.AgencyCode != a.Code, TestContext.Current.CancellationToken)));
        var found = Assert.Single(await hub.MatchesAsync(a, b), m => Ordered(m, a.Code) == ("G-1", "J-1"));
        Assert.Equal(MatchKind.PersonIdentity, found.Match.Kind);
    }

    [Fact]
    public async Task SharedPhone_NumberHeldByMoreRecordsThanMaxCandidatesPerKey_StopKeyYieldsNoMatchAtTheCapAllFound()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        // Agency B holds one number on exactly 20 phone records (the cap) and another on 21 (one over it).
        await b.PublishAsync([.. Enumerable.Range(0, 20).Select(i => Records.Phone($"AT-{i}", null, "+17135550110")),
            .. Enumerable.Range(0, 21).Select(i => Records.Phone($"OVER-{i}", null, "+17135550111"))]);
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "OVER-20");

        await a.PublishAsync(Records.Phone("T-AT", null, "+17135550110"), Records.Phone("T-OVER", null, "+17135550111"));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-OVER");

        var matches = await hub.MatchesAsync(a, b);
        Assert.All(matches, m => Assert.Equal(MatchKind.SharedPhone, m.Match.Kind));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => ("T-AT", $"AT-{i}")).Order(),
            matches.Select(m => Ordered(m, a.Code)).Order());
    }

    [Fact]
    public async Task StopKeys_BlockOverTheCap_NotedFromTheLookingAgencyWithWhatWasRead()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        // A phone number on 25 of B's records (per-key cap 20), and a date-free name block of 14 (coarse cap 10):
        // "Xochitl Zamarripa" without a birth date shares B's v: keys with fourteen such records.
        await b.PublishAsync([.. Enumerable.Range(0, 25).Select(i => Records.Phone($"N-{i}", null, "+17135550112")),
            .. Enumerable.Range(0, 14).Select(i => Records.Person($"Z-{i}", "Xochitl", "Zamarripa", $"19{50 + i}-01-0{1 + (i % 9)}"))]);
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Z-13");

        await a.PublishAsync(Records.Phone("T-N", null, "+17135550112"), Records.Person("X-1", "Xochitl", "Zamarripa", null));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "X-1");

        var notes = await hub.App.WithDatabaseAsync(db => db.Set<StopKey>()
            .Where(k => k.AgencyCode == a.Code).ToListAsync(TestContext.Current.CancellationToken));
        var phone = Assert.Single(notes, k => k.Key == "p:+17135550112");
        Assert.Equal((short)KeyedKind.Phone, phone.Kind);
        Assert.Equal(21, phone.AtLeast);
        // A coarse key reads one record past its own cap, no further.
        var dateFree = notes.Where(k => k.Key.StartsWith("v:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dateFree);
        Assert.All(dateFree, k => Assert.Equal(11, k.AtLeast));
        // Seen from B, nothing is over a cap.
        Assert.False(await hub.App.WithDatabaseAsync(db => db.Set<StopKey>().AnyAsync(k => k.AgencyCode == b.Code, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task StopKeys_FreshNote_KeyNotReadStaleOrLowerCapNoteIgnored()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await b.PublishAsync(Records.Phone("FRESH", null, "+17135550113"), Records.Phone("STALE", null, "+17135550114"),
            Records.Phone("LOWCAP", null, "+17135550115"));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "LOWCAP");
        // Notes for A as if each block had been seen over the cap: one fresh, one older than Deconfliction:StopKeyHours
        // (24), one taken when the per-key cap was lower (10 read, where the lookup now reads 21).
        await hub.App.WithDatabaseAsync(async db =>
        {
            db.Set<StopKey>().AddRange(
                new StopKey { Key = "p:+17135550113", Kind = (short)KeyedKind.Phone, AgencyCode = a.Code, AtLeast = 21, FoundAt = DateTimeOffset.UtcNow },
                new StopKey { Key = "p:+17135550114", Kind = (short)KeyedKind.Phone, AgencyCode = a.Code, AtLeast = 21, FoundAt = DateTimeOffset.UtcNow.AddHours(-25) },
                new StopKey { Key = "p:+17135550115", Kind = (short)KeyedKind.Phone, AgencyCode = a.Code, AtLeast = 10, FoundAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

        await a.PublishAsync(Records.Phone("T-FRESH", null, "+17135550113"), Records.Phone("T-STALE", null, "+17135550114"),
            Records.Phone("T-LOWCAP", null, "+17135550115"));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-LOWCAP");

        Assert.Equal([("T-LOWCAP", "LOWCAP"), ("T-STALE", "STALE")],
            (await hub.MatchesAsync(a, b)).Select(m => Ordered(m, a.Code)).Order());
    }

    private Task<int> BlockSizeAsync(string key, AgencyBus agency) => hub.App.WithDatabaseAsync(db => db.Set<RecordKey>()
        .CountAsync(k => k.Key == key && k.AgencyCode == agency.Code, TestContext.Current.CancellationToken));

    // The blocking keys two records have in common: which lookups could bring them together at all.
    private Task<List<string>> SharedKeysAsync(AgencyBus a, string localA, AgencyBus b, string localB) => hub.App.WithDatabaseAsync(db =>
        (from ka in db.Set<RecordKey>()
         join ra in db.Records on ka.RecordId equals ra.Id
         join kb in db.Set<RecordKey>() on ka.Key equals kb.Key
         join rb in db.Records on kb.RecordId equals rb.Id
         where ra.AgencyCode == a.Code && ra.LocalId == localA && rb.AgencyCode == b.Code && rb.LocalId == localB
         select ka.Key).Distinct().ToListAsync(TestContext.Current.CancellationToken));

    private static (string, string) Ordered(MatchView match, string first) =>
        match.Match.AgencyA == first ? (match.LocalIdA, match.LocalIdB) : (match.LocalIdB, match.LocalIdA);
}

/// <summary>The deconfliction hub with a coarse-key cap of 10 records and a per-key cap of 20.</summary>
public sealed class CoarseKeyFixture : DeconflictionFixture
{
    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["Deconfliction:CoarseKeyMaxCandidates"] = "10",
        ["Deconfliction:MaxCandidatesPerKey"] = "20",
    };
}
