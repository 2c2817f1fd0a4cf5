using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
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
}
