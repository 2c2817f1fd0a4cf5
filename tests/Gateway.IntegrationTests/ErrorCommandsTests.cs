using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// <c>./hub errors</c> on a real error queue: what an operator sees (reasons by agency, local id and field, never a
/// value), replay after a fix (as the original agency), purge, and the audit row each action leaves.
/// </summary>
public sealed class ErrorCommandsTests(LimitsFixture hub) : IClassFixture<LimitsFixture>
{
    private const string Secret = "Zzyzx-Secretname";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ErrorsList_SetAsideRecords_ReasonsByAgencyAndLocalIdWithoutValuesAudited()
    {
        var agency = await hub.AddAgencyAsync("L");
        await RawEnvelope.PublishAsync(agency, new { persons = new[] { Person("P-OK", 1), Person("P-BAD", 0) } }, Ct);
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-OK"), r => r is not null, Patience);

        var (exit, output, error) = await WaitForListingAsync(agency.Code, "test-operator");

        Assert.True(exit == 0, error);
        var entry = Entry(output, agency.Code);
        Assert.Contains("invalid-records", entry, StringComparison.Ordinal);
        Assert.Contains("reason: person P-BAD: version: out_of_range: must be 1 or more", entry, StringComparison.Ordinal);
        Assert.Contains("records: person P-BAD", entry, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("P-OK", output, StringComparison.Ordinal);
        var audit = await LastAuditAsync(AuditActions.ErrorsList);
        Assert.Equal("test-operator", audit.Actor);
        Assert.True(audit.Succeeded);
    }

    [Fact]
    public async Task ErrorsShowAndReplay_UnregisteredAgencyThenRegistered_StoredAsTheOriginalAgencyAudited()
    {
        var agency = await hub.AddAgencyAsync("R", registerInDatabase: false);
        var (published, log) = await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Person("P-R1"), CanonicalLines.Person("P-R2")]));
        Assert.True(published == ExitCodes.Success, log);
        var (_, listing, _) = await WaitForListingAsync(agency.Code, "test-operator");
        var id = Entry(listing, agency.Code).Split(' ')[0];

        var (exit, output, error) = await hub.RunAsync("errors", "show", id, "--actor", "test-operator");
        Assert.True(exit == 0, error);
        Assert.Contains($"reason: agency {agency.Code} is not registered with the hub", output, StringComparison.Ordinal);
        Assert.Contains("records: person P-R1, person P-R2", output, StringComparison.Ordinal);
        Assert.Equal(id, (await LastAuditAsync(AuditActions.ErrorsShow)).Target);

        // The fix: the agency is registered. The replayed message is stored as that agency, not as the operator.
        await hub.App.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = agency.Code, Name = "Late registration", Kind = AgencyKind.LawEnforcement, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync(Ct);
        });
        (exit, output, error) = await hub.RunAsync("errors", "replay", id, "--actor", "test-operator");
        Assert.True(exit == 0, error);

        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 2, Patience);
        var replay = await LastAuditAsync(AuditActions.ErrorsReplay);
        Assert.Equal((id, true), (replay.Target, replay.Succeeded));
        Assert.Contains($"as {agency.Code}", replay.Detail, StringComparison.Ordinal);
        (exit, _, _) = await hub.RunAsync("errors", "show", id);
        Assert.Equal(1, exit);
        Assert.False((await LastAuditAsync(AuditActions.ErrorsShow)).Succeeded);
    }

    [Fact]
    public async Task ErrorsPurge_WithoutAndWithConfirmation_RefusedThenEmptiedAudited()
    {
        var agency = await hub.AddAgencyAsync("P", registerInDatabase: false);
        var (published, log) = await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Person("P-P1")]));
        Assert.True(published == ExitCodes.Success, log);
        await WaitForListingAsync(agency.Code, "test-operator");

        var (exit, _, error) = await hub.RunAsync("errors", "purge");
        Assert.Equal(2, exit);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        Assert.Contains(agency.Code, (await hub.RunAsync("errors", "list")).Output, StringComparison.Ordinal);

        (exit, var output, error) = await hub.RunAsync("errors", "purge", "--yes", "--actor", "test-operator");
        Assert.True(exit == 0, error);
        Assert.Matches(@"^purged [1-9]\d* message\(s\)", output);
        Assert.Contains("0 message(s) on sharinghub-records_error", (await hub.RunAsync("errors", "list")).Output, StringComparison.Ordinal);
        var audit = await LastAuditAsync(AuditActions.ErrorsPurge);
        Assert.Equal(("test-operator", true), (audit.Actor, audit.Succeeded));
    }

    [Fact]
    public async Task AuditEvents_UpdateDeleteTruncate_RefusedByTheDatabase()
    {
        await hub.RunAsync("errors", "list", "--actor", "test-operator");
        var audit = await LastAuditAsync(AuditActions.ErrorsList);
        foreach (var sql in new[]
        {
            $"UPDATE audit_events SET actor = 'someone-else' WHERE id = {audit.Id}",
            $"DELETE FROM audit_events WHERE id = {audit.Id}",
            "TRUNCATE audit_events",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() =>
                hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlRawAsync(sql, Ct)));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        Assert.Equal("test-operator", (await LastAuditAsync(AuditActions.ErrorsList)).Actor);
    }

    /// <summary>Lists until an entry of <paramref name="agency"/> shows (the Gateway sets it aside a moment after storing the rest).</summary>
    private Task<(int Exit, string Output, string Error)> WaitForListingAsync(string agency, string actor) =>
        Eventually.UntilAsync(() => hub.RunAsync("errors", "list", "--actor", actor),
            result => result.Output.Contains($"agency {agency} ", StringComparison.Ordinal),
            $"an error message of {agency} to be listed", Patience, Ct);

    /// <summary>The lines of one listed message: its header line and the indented lines under it.</summary>
    private static string Entry(string listing, string agency)
    {
        var lines = listing.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains($"agency {agency} ", StringComparison.Ordinal));
        Assert.True(start >= 0, listing);
        return string.Join('\n', lines.Skip(start).TakeWhile((l, i) => i == 0 || l.StartsWith("    ", StringComparison.Ordinal)));
    }

    private Task<AuditEvent> LastAuditAsync(string action) =>
        hub.App.WithDatabaseAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == action).OrderByDescending(e => e.Id).FirstAsync(Ct));

    private static object Person(string localId, long version) => new
    {
        localId,
        version,
        personRole = "Victim",
        personSurName = Secret,
        labels = new { sensitivity = "Open", controlOfficial = new { personFullName = "Det. Test", contactChannel = "+17135550101" } },
    };
}
