using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Commit before lookup: two Gateway replicas (competing consumers on one queue and one database) ingest the two
/// halves of many pairs at the same moment. A record's keys and marker commit before any worker claims it and looks
/// up its candidates, so whichever commits second sees the first; when both see each other the unique pair absorbs
/// the duplicate. The workers do not poll: each replica's are woken only by its own stores.
/// </summary>
public sealed class DeconflictionRaceTests(TwoReplicaFixture hub) : IClassFixture<TwoReplicaFixture>
{
    private const int Pairs = 200;

    [Fact]
    public async Task TwoReplicas_HalvesOfPairsPublishedConcurrently_ExactlyOneMatchPerPairNoneMissed()
    {
        var (a, b) = (await hub.AddAgencyAsync("RA"), await hub.AddAgencyAsync("RB"));

        // One record per message, both agencies at once, pair by pair.
        var publishA = Task.Run(async () =>
        {
            for (var i = 0; i < Pairs; i++)
            {
                await a.PublishAsync(Person($"P-{i}", i, variant: false));
            }
        }, TestContext.Current.CancellationToken);
        var publishB = Task.Run(async () =>
        {
            for (var i = 0; i < Pairs; i++)
            {
                await b.PublishAsync(Person($"Q-{i}", i, variant: true));
            }
        }, TestContext.Current.CancellationToken);
        await Task.WhenAll(publishA, publishB);
        await hub.WaitForMatchingAsync(a, RecordKind.Person, $"P-{Pairs - 1}");
        await hub.WaitForMatchingAsync(b, RecordKind.Person, $"Q-{Pairs - 1}");
        await WaitForAllStoredAsync(a.Code, b.Code);

        var matches = await hub.MatchesAsync(a, b);
        var byPair = matches.Where(m => m.Match.Kind == MatchKind.PersonIdentity)
            .GroupBy(m => (Number(m.LocalIdA), Number(m.LocalIdB)))
            .ToDictionary(g => g.Key, g => g.Count());
        var missed = Enumerable.Range(0, Pairs).Where(i => !byPair.ContainsKey((i, i)) && !byPair.ContainsKey((i, i))).ToList();
        Assert.True(missed.Count == 0, $"pairs missed: {string.Join(", ", missed)}");
        Assert.All(byPair, pair => Assert.Equal(pair.Key.Item1, pair.Key.Item2));
        Assert.All(byPair.Values, count => Assert.Equal(1, count));
        Assert.Equal(Pairs, matches.Count);
        var found = await hub.App.WithDatabaseAsync(db => db.MatchEvents.CountAsync(e => e.Type == MatchEventType.MatchFound
            && db.Matches.Any(m => m.Id == e.MatchId && m.AgencyA == a.Code || m.Id == e.MatchId && m.AgencyB == a.Code)));
        Assert.Equal(Pairs, found);
    }

    private Task WaitForAllStoredAsync(string agencyA, string agencyB) =>
        Eventually.UntilAsync(async () =>
                await hub.App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.AgencyCode == agencyA || r.AgencyCode == agencyB)) == 2 * Pairs
                && !await hub.App.WithDatabaseAsync(db => db.Set<MatchPending>().AnyAsync()),
            "every record to be stored and matched");

    private static int Number(string localId) => int.Parse(localId[2..], CultureInfo.InvariantCulture);

    // Pronounceable, distinct names and dates per pair, so the only strong candidate of each record is its twin.
    private static PersonRecordPublished Person(string localId, int i, bool variant)
    {
        string[] syllables = ["ka", "lo", "mi", "ten", "sa", "ru", "be", "dor", "vi", "quel", "na", "fi", "go", "zan", "pe", "tru"];
        string Word(int n, int offset) => string.Concat(syllables[(n + offset) % 16], syllables[(n / 16 + offset) % 16], syllables[(n / 256 + 3 * offset + n % 7) % 16]);
        var given = Word(i, 0);
        var surname = Word(i, 5) + "son";
        var birth = new DateOnly(1940, 1, 1).AddDays(i * 97);
        return Records.Person(localId, variant ? given.ToUpperInvariant() : given, variant ? surname + "-" + Word(i, 9) : surname,
            birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ssn: (100_000_000 + (i * 7919)).ToString(CultureInfo.InvariantCulture));
    }
}
