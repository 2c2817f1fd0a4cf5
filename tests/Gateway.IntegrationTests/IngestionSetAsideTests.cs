using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Invalid members of an otherwise good batch, on a broker where nothing has faulted yet (its own virtual host):
/// the hub stores the valid records and sets the invalid ones aside on the error queue, which must exist by then.
/// </summary>
public sealed class IngestionSetAsideTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consumer_BatchWithInvalidRecordsBeforeAnyFault_ValidStoredInvalidOnTheErrorQueue()
    {
        var agency = await hub.AddAgencyAsync("X");
        var valid = Person("P-OK", version: 1);
        var invalid = Person("P-BAD", version: 0);
        // PostgreSQL text cannot hold U+0000: unchecked, this one value would fail the COPY of the whole batch.
        var nul = Person("P-NUL", version: 1, surname: "Gar\0cía");

        // The connector never publishes an invalid record; another publisher might, so the hub checks again.
        await RawEnvelope.PublishAsync(agency, new { persons = new[] { valid, invalid, nul } }, Ct);

        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-OK"), r => r is not null, Patience);
        var (reason, setAsideAgency, body) = await NextErrorAsync();
        Assert.Equal("person P-BAD: version: out_of_range: must be 1 or more\nperson P-NUL: surname: control_character: contains a control character", reason);
        Assert.Equal(agency.Code, setAsideAgency);
        Assert.Contains("P-BAD", body, StringComparison.Ordinal);
        Assert.Contains("P-NUL", body, StringComparison.Ordinal);
        Assert.DoesNotContain("P-OK", body, StringComparison.Ordinal);
        Assert.Null(await hub.FindAsync(agency.Code, RecordKind.Person, "P-BAD"));
        Assert.Null(await hub.FindAsync(agency.Code, RecordKind.Person, "P-NUL"));

        // A whole-message fault afterwards takes MassTransit's own path to the same queue: the set-aside declared it alike.
        var unregistered = await hub.AddAgencyAsync("U", registerInDatabase: false);
        var (exit, output) = await hub.PublishAsync(unregistered, hub.WriteLines([CanonicalLines.Person("P-U")]));
        Assert.True(exit == ExitCodes.Success, output);
        var (fault, _, _) = await NextErrorAsync();
        Assert.Contains($"agency {unregistered.Code} is not registered", fault, StringComparison.Ordinal);
    }

    private static object Person(string localId, long version, string surname = "García López") => new
    {
        localId,
        version,
        personRole = "Victim",
        personSurName = surname,
        labels = new { sensitivity = "Open", controlOfficial = new { personFullName = "Det. Test", contactChannel = "+17135550101" } },
    };

    private Task<SetAside> NextErrorAsync() => ErrorQueue.NextAsync(hub.VirtualHost, Patience, Ct);
}
