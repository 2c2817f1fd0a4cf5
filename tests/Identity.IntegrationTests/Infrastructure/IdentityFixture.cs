using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>
/// A class fixture: its own database from the template, a temporary folder for keys and development secrets,
/// and an Identity on a real port. Fails (never skips) when PostgreSQL is unreachable.
/// </summary>
public class IdentityFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public IdentityApp App { get; private set; } = null!;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("sharinghub-identity-").FullName;

    /// <summary>Extra settings of the Identity under test.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The host environment of the Identity under test.</summary>
    protected virtual string Environment => "Testing";

    public virtual async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(TestInfrastructure.Current);
        App = new IdentityApp(Database.ConnectionString, StateDirectory, Settings, Environment);
        await App.StartAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        Directory.Delete(StateDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
