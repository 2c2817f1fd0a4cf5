using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Keys;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// <c>./hub identity user add</c> and <c>./hub identity rotate-keys</c>, run as the hub runs them: Identity's own
/// command line in its own process, on a test Identity's database and key file.
/// </summary>
public sealed class IdentityCommandLineTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly IdentityApp _identity = fixture.App;

    [Theory]
    [InlineData("officer")]
    [InlineData("supervisor")]
    [InlineData("analyst")]
    public async Task UserAdd_VictimServicesAgencyWithAnEnforcementRole_Exit1AndNoAccount(string role)
    {
        var userName = $"shelter-{role}-{Guid.NewGuid():N}"[..24];

        var (exit, output, error) = await IdentityCli.RunAsync(_identity, "user", "add", TestAgencies.Shelter, userName, "--role", role);

        Assert.True(exit == 1, $"exit {exit}: {output}{error}");
        Assert.Contains($"{TestAgencies.Shelter} is a victim-service organization: its users are advocates", error, StringComparison.Ordinal);
        Assert.DoesNotContain("password", output, StringComparison.Ordinal);
        Assert.False(await _identity.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == userName, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task UserAdd_VictimServicesAgencyAsAdvocate_AccountCreated()
    {
        var userName = $"advocate-{Guid.NewGuid():N}"[..20];

        var (exit, output, error) = await IdentityCli.RunAsync(_identity, "user", "add", TestAgencies.Shelter, userName, "--role", "advocate");

        Assert.True(exit == 0, $"exit {exit}: {output}{error}");
        Assert.Contains(userName, output, StringComparison.Ordinal);
        Assert.True(await _identity.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == userName, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task RotateKeys_KeySetWithAnExpiredKey_AddsAPrepublishedKeyPrunesTheExpiredOneAndAudits()
    {
        // A separate key file: the fixture's running Identity keeps its own.
        var now = DateTimeOffset.UtcNow;
        var keyFile = Path.Combine(fixture.StateDirectory, $"rotate-{Guid.NewGuid():N}.json");
        var keys = KeySetFile.Create(now.AddDays(-200), TimeSpan.FromDays(90), IdentityApp.KeyPassphrase); // expired 110 days ago
        keys.Rotate(now.AddDays(-10), TimeSpan.FromDays(90), TimeSpan.Zero, TimeSpan.FromDays(3650), IdentityApp.KeyPassphrase); // valid for 80 more days
        keys.Save(keyFile);
        var expired = keys.Keys.Where(k => k.NotAfter < now).Select(k => k.Id).ToList();
        var current = keys.Keys.Where(k => k.NotAfter > now).Select(k => k.Id).ToList();
        Assert.NotEmpty(expired);

        var (exit, output, error) = await IdentityCli.RunAsync(_identity, "keys", "rotate", $"--Keys:File={keyFile}",
            "--Keys:PrepublishDays=2", "--Keys:RetainExpiredDays=30");

        Assert.True(exit == 0, $"exit {exit}: {output}{error}");
        var after = KeySetFile.Load(keyFile);
        var added = after.Keys.Where(k => !current.Contains(k.Id)).ToList();
        Assert.DoesNotContain(after.Keys, k => expired.Contains(k.Id));
        Assert.All(current, id => Assert.Contains(after.Keys, k => k.Id == id));
        Assert.Contains(added, k => k.Use == KeyUse.Signing);
        // Published from now on, signing only from two days on, so resource servers' cached key sets have it first.
        Assert.All(added, k => Assert.InRange(k.NotBefore, now.AddDays(2).AddMinutes(-5), now.AddDays(2).AddMinutes(5)));
        Assert.Contains($"Added keys {string.Join(' ', added.Select(k => k.Id))}", output, StringComparison.Ordinal);
        Assert.Contains(await _identity.AuditAsync(), a => a.Event == AuditEvents.KeysRotated && a.Outcome == AuditOutcome.Success
            && a.Detail!.Contains(added[0].Id, StringComparison.Ordinal));
    }
}
