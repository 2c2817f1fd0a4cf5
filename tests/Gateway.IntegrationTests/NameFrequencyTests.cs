using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Matching.Scoring;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>The hub's own name counts (issue 11): kept with the stored records, folded, and read by the matcher.</summary>
public sealed class NameFrequencyTests(NameFrequencyFixture hub) : IClassFixture<NameFrequencyFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_NewVersionAndWithdrawal_FollowTheStoredNames()
    {
        var (given, other, surname) = (Letters(9), Letters(9), Letters(10));
        var a = await hub.AddAgencyAsync("A");

        await a.PublishAsync(Records.Person("P-1", given, surname, "1970-01-01"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var first = await RefreshAsync();
        await a.PublishAsync(Records.Person("P-1", other, surname, "1970-01-01", version: 2));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1", 2);
        var second = await RefreshAsync();
        await a.PublishAsync(Records.Withdrawal(RecordKind.Person, "P-1", 3));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1", 3);
        var third = await RefreshAsync();

        Assert.Equal((1L, 1L), (first.CountOf(NameComponentKind.Given, given), first.CountOf(NameComponentKind.Surname, surname)));
        Assert.Equal((0L, 1L, 1L), (second.CountOf(NameComponentKind.Given, given), second.CountOf(NameComponentKind.Given, other),
            second.CountOf(NameComponentKind.Surname, surname)));
        Assert.Equal((0L, 0L), (third.CountOf(NameComponentKind.Given, other), third.CountOf(NameComponentKind.Surname, surname)));
        Assert.Equal(0, await hub.App.WithDatabaseAsync(db => db.Set<NameFrequencyDelta>().CountAsync(Ct)));
    }

    [Fact]
    public async Task Schema_FrequencyTables_HoldNoText()
    {
        // Counts only: no name and no agency is stored beside them.
        var textColumns = await hub.App.WithDatabaseAsync(db => db.Database.SqlQueryRaw<string>("""
            SELECT table_name || '.' || column_name AS "Value" FROM information_schema.columns
            WHERE table_name LIKE 'name_frequenc%' AND data_type NOT IN ('bigint', 'integer', 'ARRAY')
            """).ToListAsync(Ct));

        Assert.Empty(textColumns);
    }

    [Fact]
    public async Task Match_RareFullNameWithoutBirthDate_MatchButCommonNameNot()
    {
        // A population to count: 1,100 people of names of their own, and 120 María Hernández.
        var filler = await hub.AddAgencyAsync("F");
        var population = Enumerable.Range(0, 1100).Select(i => Records.Person($"F-{i}", Letters(7), Letters(8), "1960-01-01"))
            .Concat(Enumerable.Range(0, 120).Select(i => Records.Person($"H-{i}", "María", "Hernández", $"19{50 + (i % 40)}-0{1 + (i % 9)}-1{i % 10}")))
            .ToArray();
        foreach (var chunk in population.Chunk(305))
        {
            await filler.PublishAsync(chunk);
        }
        await hub.WaitForMatchingAsync(filler, RecordKind.Person, "H-119");
        var (rareGiven, rareSurname, rareMaternal) = ("Leocadio", Letters(8), Letters(8));
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-R", rareGiven, $"{rareSurname} {rareMaternal}", "1971-02-03"),
            Records.Person("P-C", "María", "Hernández López", "1980-05-06"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-C");
        var counted = await RefreshAsync();

        await b.PublishAsync(Records.Person("Q-R", rareGiven, rareSurname, null), Records.Person("Q-C", "Maria", "Hernandez", null));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-C");

        Assert.True(counted.SurnameRecords >= 1222, $"{counted.SurnameRecords} records counted");
        var matches = await hub.MatchesAsync(a, b);
        var rare = Assert.Single(matches, m => m.LocalIdA == "P-R" || m.LocalIdB == "P-R");
        Assert.Equal("Match", rare.Match.Band);
        Assert.Contains("rare name", rare.Match.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain(matches, m => (m.LocalIdA == "P-C" || m.LocalIdB == "P-C") && m.Match.Band == "Match");
    }

    [Fact]
    public async Task Cache_BeforeItsFirstLoad_MatchingWaits_AndTheLoadReleasesIt()
    {
        var given = Letters(9);
        var a = await hub.AddAgencyAsync("A");
        await a.PublishAsync(Records.Person("P-W", given, Letters(10), "1970-01-01"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-W");

        // A cache as a Gateway that has just started holds it: nothing loaded yet, so a matching run must wait.
        var counts = await hub.WithServicesAsync(async services =>
        {
            using var cache = new NameFrequencyCache(services.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DeconflictionOptions>>(),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<NameFrequencyCache>.Instance);
            var waiting = cache.WhenLoadedAsync(Ct);
            await Task.Delay(200, Ct);
            Assert.False(waiting.IsCompleted, "the cache said it was loaded before its first load");
            Assert.Equal(0, cache.Current.CountOf(NameComponentKind.Given, given));

            await cache.RefreshAsync(Ct);
            await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct);
            return cache.Current;
        });

        Assert.Equal(1L, counts.CountOf(NameComponentKind.Given, given));
    }

    [Fact]
    public async Task Alert_ScoreMovedOnlyByTheNameCounts_NoSecondAlert_ARecordChangeStillRaisesOne()
    {
        // Enough people counted for a name's frequency to weigh (as in the test above), in the snapshot.
        var filler = await hub.AddAgencyAsync("F");
        foreach (var chunk in Enumerable.Range(0, 1100).Select(i => Records.Person($"G-{i}", Letters(7), Letters(8), "1960-01-01")).Chunk(275))
        {
            await filler.PublishAsync(chunk);
        }
        await hub.WaitForMatchingAsync(filler, RecordKind.Person, "G-1099");
        await RefreshAsync();
        // A name the snapshot does not know yet: the pair is first scored without its counts.
        var (given, surname) = (Letters(8), Letters(9));
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("S-1", given, surname, "1975-04-05"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "S-1");
        await b.PublishAsync(Records.Person("T-1", given, surname, "1975-04-05"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "T-1");
        var first = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        // The counts now hold the name; B sends its record again, unchanged but as version 2: the pair is re-scored.
        await RefreshAsync();
        await b.PublishAsync(Records.Person("T-1", given, surname, "1975-04-05", version: 2));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "T-1", 2);
        var again = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        var afterRescore = await AlertsAsync(first.Id);

        // A real change (B's record loses its birth date): the score moves with the record, and both are told.
        await b.PublishAsync(Records.Person("T-1", given, surname, null, version: 3));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "T-1", 3);
        var changed = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        var afterChange = await AlertsAsync(first.Id);

        // The scenario itself: the re-score moved the score past the threshold (1 bit here), in the same band.
        Assert.True(Math.Abs(again.Score!.Value - first.Score!.Value) >= 1 && again.Band == first.Band,
            $"re-scored {first.Score} {first.Band} -> {again.Score} {again.Band}: the name counts did not move the score as this test needs");
        Assert.Equal(2, afterRescore);
        Assert.True(Math.Abs(changed.Score!.Value - again.Score.Value) >= 1 || changed.Band != again.Band,
            $"the changed record moved the score only {again.Score} -> {changed.Score}");
        Assert.Equal(4, afterChange);
    }

    private Task<int> AlertsAsync(long matchId) =>
        hub.App.WithDatabaseAsync(db => db.Set<SharingHub.Gateway.Alerts.Alert>().CountAsync(x => x.MatchId == matchId, Ct));

    private Task<NameFrequencies> RefreshAsync() => hub.WithServicesAsync(async services =>
    {
        var cache = services.GetRequiredService<NameFrequencyCache>();
        await cache.RefreshAsync(Ct);
        return cache.Current;
    });

    // A word no other test or record uses: letters only, as a name folds to.
    private static string Letters(int length) =>
        string.Concat(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Take(length).Select(b => (char)('a' + (b % 26))));
}

/// <summary>A hub whose name counts refresh only when a test asks (<see cref="NameFrequencyCache.RefreshAsync"/>).</summary>
public sealed class NameFrequencyFixture : DeconflictionFixture
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "0.5",
        ["Deconfliction:NameFrequencyRefreshSeconds"] = "3600",
        // A small population moves a name's weight by less than the default 3 bits once it is counted.
        ["Alerts:ScoreChangeThreshold"] = "1",
    };
}
