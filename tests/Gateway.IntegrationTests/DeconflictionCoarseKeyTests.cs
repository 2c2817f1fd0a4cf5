using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A coarse block (phonetic surname + birth year) grown past <c>Deconfliction:CoarseKeyMaxCandidates</c> is not looked
/// up; its narrower keys (plus a given-name initial or nickname group) still find the pair in it.
/// </summary>
public sealed class DeconflictionCoarseKeyTests(CoarseKeyFixture hub) : IClassFixture<CoarseKeyFixture>
{
    [Fact]
    public async Task PersonIdentity_CoarseBlockOverItsCap_NicknameKeyStillFindsThePair()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        // Twelve other Smiths born in 1975 with other given names, and Robert: thirteen in agency B's "n:SM0:1975" block.
        string[] others = ["Linda", "Mark", "Nancy", "Oscar", "Paul", "Quinn", "Tina", "Steve", "Tom", "Uma", "Victor", "Walter"];
        await b.PublishAsync([.. others.Select((given, i) => Records.Person($"O-{i}", given, "Smith", $"1975-{i + 1:D2}-15")),
            Records.Person("R-1", "Robert", "Smith", "1975-03-02")]);
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "R-1");

        // Bob, with day and month swapped: no initial + full birth date key in common, only the coarse block and the
        // nickname-narrowed key.
        await a.PublishAsync(Records.Person("P-1", "Bob", "Smith", "1975-02-03"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");

        var coarse = await hub.App.WithDatabaseAsync(db => db.Set<RecordKey>()
            .CountAsync(k => k.Key == "n:SM0:1975" && k.AgencyCode == b.Code, TestContext.Current.CancellationToken));
        Assert.True(coarse > 10, $"the coarse block has {coarse} records of agency B, not more than its cap");
        var match = Assert.Single(await hub.MatchesAsync(a, b));
        Assert.Equal(MatchKind.PersonIdentity, match.Match.Kind);
        Assert.Equal(("P-1", "R-1"), Ordered(match, a.Code));
    }

    private static (string, string) Ordered(MatchView match, string first) =>
        match.Match.AgencyA == first ? (match.LocalIdA, match.LocalIdB) : (match.LocalIdB, match.LocalIdA);
}

/// <summary>The deconfliction hub with a coarse-key cap of 10 records.</summary>
public sealed class CoarseKeyFixture : DeconflictionFixture
{
    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["Deconfliction:CoarseKeyMaxCandidates"] = "10",
    };
}
