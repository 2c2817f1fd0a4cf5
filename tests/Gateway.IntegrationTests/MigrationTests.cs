using Npgsql;
using SharingHub.Matching.Blocking;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

public sealed class MigrationTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    [Fact]
    public async Task MigrateAsync_FreshDatabase_CreatesTheSchemaAndIsRepeatable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new GatewayApp(fixture);

        await app.MigrateAsync(ct);
        await app.MigrateAsync(ct);

        await using var connection = await fixture.Database.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT to_regclass('public.agencies') IS NOT NULL", connection);
        Assert.True((bool)(await command.ExecuteScalarAsync(ct))!);
        // No records yet, so nothing to re-key: the database starts at the current key scheme.
        await using var scheme = new NpgsqlCommand("SELECT version FROM key_scheme", connection);
        Assert.Equal(BlockingKeys.SchemeVersion, (int)(await scheme.ExecuteScalarAsync(ct))!);
    }
}
