using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Records;
using SharingHub.Matching;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Messages consumed at the same time that re-key the same subject person.</summary>
public sealed class DeconflictionConcurrencyTests(DeconflictionFixture hub) : IClassFixture<DeconflictionFixture>
{
    [Fact]
    public async Task PhonesOfOnePerson_InConcurrentMessages_AllStoredAndTheSubjectKeyedWithBoth()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await hub.AddAgencyAsync("C");
        const int persons = 40;
        await a.PublishAsync([.. Enumerable.Range(0, persons).Select(i => Records.Person($"P-{i}", "Ana", $"Ruiz{(char)('a' + i / 26)}{(char)('a' + i % 26)}", "1990-01-01"))]);
        await hub.WaitForMatchingAsync(a, RecordKind.Person, $"P-{persons - 1}");

        // Two messages per person, each with one of its phones: consumed concurrently, both re-key the same person.
        await Task.WhenAll(Enumerable.Range(0, persons).SelectMany(i => new[]
        {
            a.PublishAsync(Records.Phone($"T-{i}-a", $"P-{i}", $"+1713555{i:D4}")),
            a.PublishAsync(Records.Phone($"T-{i}-b", $"P-{i}", $"+1832555{i:D4}")),
        }));

        var stored = await Eventually.UntilAsync(
            () => hub.App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.AgencyCode == a.Code && r.Kind == RecordKind.Phone, ct)),
            n => n >= 2 * persons, "every phone to be stored", cancellationToken: ct);
        Assert.Equal(2 * persons, stored);
        for (var i = 0; i < persons; i++)
        {
            await hub.WaitForMatchingAsync(a, RecordKind.Phone, $"T-{i}-b");
        }
        // Every person's keys include both of its phones.
        var phoneKeys = await hub.App.WithDatabaseAsync(db => db.Set<Deconfliction.RecordKey>()
            .Where(k => k.AgencyCode == a.Code && k.Kind == 1 && k.Key.StartsWith("p:")).CountAsync(ct));
        Assert.Equal(2 * persons, phoneKeys);
    }

    [Fact]
    public async Task PersonAndItsPhone_InConcurrentMessages_SubjectKeyedWithThePhone()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await hub.AddAgencyAsync("D");
        const int persons = 40;
        // Each person and its phone in two messages at once: consumed concurrently, the phone's batch may look for its
        // subject before the person's commits, and the person's for its phones before the phone's commits.
        await Task.WhenAll(Enumerable.Range(0, persons).SelectMany(i => new[]
        {
            a.PublishAsync(Records.Person($"P-{i}", "Ana", $"Ruiz{(char)('a' + i / 26)}{(char)('a' + i % 26)}", "1990-01-01")),
            a.PublishAsync(Records.Phone($"T-{i}", $"P-{i}", $"+1713555{i:D4}")),
        }));

        var stored = await Eventually.UntilAsync(
            () => hub.App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.AgencyCode == a.Code, ct)),
            n => n >= 2 * persons, "every record to be stored", cancellationToken: ct);
        Assert.Equal(2 * persons, stored);
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, $"T-{persons - 1}");

        // Every person's keys and stored evidence include its phone.
        var phoneKeys = await hub.App.WithDatabaseAsync(db => db.Set<Deconfliction.RecordKey>()
            .Where(k => k.AgencyCode == a.Code && k.Kind == 1 && k.Key.StartsWith("p:")).CountAsync(ct));
        Assert.Equal(persons, phoneKeys);
        var engine = hub.App.Services.GetRequiredService<MatchingEngine>();
        var features = await hub.App.WithDatabaseAsync(db =>
            (from r in db.Records.AsNoTracking()
             join f in db.Set<StoredRecordFeatures>() on r.Id equals f.Id
             where r.AgencyCode == a.Code && r.Kind == RecordKind.Person
             select f.Features).ToListAsync(ct));
        Assert.All(features, bytes => Assert.Single(engine.ReadPersonFeatures(bytes!)!.Phones));
    }
}
