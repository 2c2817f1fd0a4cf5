using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Onboarding;

/// <summary>
/// <see cref="OnboardingFixture"/> plus the provisioner, as it runs beside the hosts: its own least-privilege role on
/// the Gateway's and Identity's databases (the grants of src/Provisioner/Database), the broker administration
/// credential, and the test class's virtual host. Agency users it creates are removed on dispose.
/// </summary>
public sealed class ProvisioningFixture : OnboardingFixture
{
    /// <summary>The provisioner's database role, which <c>./hub infra</c> creates (its grants are per database).</summary>
    public const string ProvisionerRole = "sharinghub_provisioner";

    /// <summary>Where the provisioner writes the agencies' broker passwords.</summary>
    public string SecretsDirectory { get; } = Directory.CreateTempSubdirectory("sharinghub-provisioner-").FullName;

    /// <summary>The provisioner under test.</summary>
    public ProvisionerApp Provisioner { get; private set; } = null!;

    /// <inheritdoc />
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await GrantAsync(HubDatabase.ConnectionString, "gateway-grants.sql");
        await GrantAsync(Database.ConnectionString, "identity-grants.sql");
        var role = System.Environment.GetEnvironmentVariable("HUB_PG_PROVISIONER")
            ?? throw new InfrastructureUnavailableException($"HUB_PG_PROVISIONER is not set. {TestInfrastructure.RunHubInfra}");
        var infrastructure = TestInfrastructure.Current;
        Provisioner = new ProvisionerApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:hubdb"] = $"{role};Database={HubDatabase.Name}",
            ["ConnectionStrings:identitydb"] = $"{role};Database={Database.Name}",
            ["Provisioner:ManagementUri"] = infrastructure.RabbitMqManagementUri.AbsoluteUri,
            ["Provisioner:AdminUser"] = infrastructure.RabbitMqAdminUser,
            ["Provisioner:AdminPassword"] = infrastructure.RabbitMqAdminPassword,
            ["Provisioner:VirtualHost"] = VirtualHost.Name,
            ["Provisioner:HandoverDirectory"] = SecretsDirectory,
            ["Provisioner:MaxRetrySeconds"] = "2",
        });
        // Creating the client starts the host, and with it the reconcile loop.
        Provisioner.CreateClient().Dispose();
    }

    /// <summary>The broker password the provisioner wrote for <paramref name="code"/>.</summary>
    public string SecretOf(string code) => File.ReadAllText(Path.Combine(SecretsDirectory, code + ".secret")).Trim();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Provisioner is not null)
        {
            await Provisioner.DisposeAsync();
        }
        // The broker's users are the whole node's: remove those the provisioner made for this class's agencies.
        foreach (var file in Directory.EnumerateFiles(SecretsDirectory, "*.secret"))
        {
            using var _ = await VirtualHost.Management.DeleteAsync($"api/users/{Uri.EscapeDataString(Path.GetFileNameWithoutExtension(file))}");
        }
        Directory.Delete(SecretsDirectory, recursive: true);
        await base.DisposeAsync();
    }

    // The grants file as ./hub up applies it (psql's :"role" is the role's quoted name), as the database's owner.
    private static async Task GrantAsync(string ownerConnectionString, string file)
    {
        var sql = (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Database", file)))
            .Replace(":\"role\"", $"\"{ProvisionerRole}\"", StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The provisioner host in-process (Development: plain HTTP to the loopback management API is allowed).</summary>
public sealed class ProvisionerApp(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<SharingHub.Provisioner.Program>
{
    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
    }
}
