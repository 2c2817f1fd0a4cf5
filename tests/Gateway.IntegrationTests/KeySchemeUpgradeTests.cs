using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Matching.Blocking;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// After an upgrade that changed the key scheme, the records keyed before it are re-keyed and matched again, so a new
/// record meets an old one through the new keys; an interrupted re-key resumes where it stopped.
/// </summary>
public sealed class KeySchemeUpgradeTests(DeconflictionFixture hub) : IClassFixture<DeconflictionFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upgrade_RecordKeyedByAnOlderScheme_IsReKeyedAndMeetsTheNewRecord()
    {
        await BackgroundUpgradeDoneAsync();
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Robert", "Smith", "1975-03-02"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var expected = await KeysAsync(a.Code);
        // As an older release left it: a scheme without these keys, recorded as such.
        await ExecuteAsync("DELETE FROM record_keys WHERE agency_code = {0}", a.Code);
        await ExecuteAsync("UPDATE key_scheme SET version = {0}", BlockingKeys.SchemeVersion - 1);
        await b.PublishAsync(Records.Person("Q-1", "Robert", "Smith", "1975-03-02"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        Assert.Empty(await hub.MatchesAsync(a, b));

        var outcome = await UpgradeAsync();
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");

        Assert.Equal(UpgradeOutcome.Upgraded, outcome);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await KeysAsync(a.Code));
        var match = Assert.Single(await hub.MatchesAsync(a, b));
        Assert.Equal(MatchKind.PersonIdentity, match.Match.Kind);
        var scheme = await hub.App.WithDatabaseAsync(db => db.Set<KeyScheme>().AsNoTracking().SingleAsync(Ct));
        Assert.Equal((BlockingKeys.SchemeVersion, null, 0L), (scheme.Version, scheme.RekeyingTo, scheme.RekeyedThrough));
        Assert.Equal(UpgradeOutcome.Current, await UpgradeAsync());
    }

    [Fact]
    public async Task Upgrade_InterruptedPartWay_ResumesAfterTheLastRecordItDid()
    {
        await BackgroundUpgradeDoneAsync();
        var c = await hub.AddAgencyAsync("C");
        await c.PublishAsync(Records.Person("P-1", "Ana", "Lopez", "1980-01-05"), Records.Person("P-2", "Luis", "Garcia", "1979-06-30"));
        await hub.WaitForMatchingAsync(c, RecordKind.Person, "P-2");
        var ids = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.AgencyCode == c.Code).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(Ct));
        // Both lost their keys under the old scheme; the re-key had done the first when it stopped.
        await ExecuteAsync("DELETE FROM record_keys WHERE agency_code = {0}", c.Code);
        await ExecuteAsync("UPDATE key_scheme SET version = {0}, rekeying_to = {1}, rekeyed_through = {2}",
            BlockingKeys.SchemeVersion - 1, BlockingKeys.SchemeVersion, ids[0]);

        Assert.Equal(UpgradeOutcome.Upgraded, await UpgradeAsync());

        var keyed = await hub.App.WithDatabaseAsync(db => db.Set<RecordKey>().Where(k => k.AgencyCode == c.Code)
            .Select(k => k.RecordId).Distinct().ToListAsync(Ct));
        Assert.Equal([ids[1]], keyed);
    }

    /// <summary>
    /// The Gateway's own upgrader runs at start-up (a test database starts at scheme 0). Until its background run has
    /// ended it could re-key records after the test took their keys away, or hold the lock (a test run of the upgrader
    /// would then find <see cref="UpgradeOutcome.OtherReplica"/>): a run that lost the lock to the test tries again
    /// later, so waiting for one <see cref="UpgradeOutcome.Current"/> is not enough.
    /// </summary>
    private async Task BackgroundUpgradeDoneAsync()
    {
        var background = await hub.WithServicesAsync(services => Task.FromResult(
            services.GetRequiredService<KeySchemeUpgrader>().ExecuteTask
            ?? throw new InvalidOperationException("The Gateway's key-scheme upgrader was never started.")));
        await background.WaitAsync(TimeSpan.FromMinutes(2), Ct);
    }

    private Task<UpgradeOutcome> UpgradeAsync() =>
        hub.WithServicesAsync(services => services.GetRequiredService<KeySchemeUpgrader>().UpgradeAsync(Ct));

    private Task<List<string>> KeysAsync(string agency) => hub.App.WithDatabaseAsync(db =>
        db.Set<RecordKey>().Where(k => k.AgencyCode == agency).OrderBy(k => k.Key).Select(k => k.Key).ToListAsync(Ct));

    private Task<int> ExecuteAsync(string sql, params object[] parameters) =>
        hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlRawAsync(sql, parameters, Ct));
}
