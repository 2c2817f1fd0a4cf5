using Npgsql;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>The audit log is append-only in the database itself, for the application's own role too.</summary>
public sealed class AuditLogTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Theory]
    [InlineData("UPDATE audit_events SET outcome = 'Success'")]
    [InlineData("DELETE FROM audit_events")]
    [InlineData("TRUNCATE audit_events")]
    public async Task AuditEvents_ChangeOrRemoval_IsRefusedByTheDatabase(string sql)
    {
        Assert.NotEmpty(await fixture.App.AuditAsync());
        await using var connection = await fixture.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditEvents_Insert_IsAllowed()
    {
        var before = (await fixture.App.AuditAsync()).Count;
        await using var connection = await fixture.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "INSERT INTO audit_events (occurred_at, event, outcome) VALUES (now(), 'test.append', 'Success')", connection);

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

        var after = await fixture.App.AuditAsync();
        Assert.Equal(before + 1, after.Count);
        Assert.Equal("test.append", after[^1].Event);
        Assert.Equal(AuditOutcome.Success, after[^1].Outcome);
    }
}
