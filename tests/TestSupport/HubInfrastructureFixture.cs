using Xunit;

namespace SharingHub.TestSupport;

/// <summary>
/// A class fixture that gives one test class its own PostgreSQL database and RabbitMQ virtual host on the private
/// infrastructure. If either is unreachable, every test of the class fails with a message that says to run
/// <c>./hub infra</c>; none is skipped.
/// </summary>
public class HubInfrastructureFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private TestVirtualHost? _virtualHost;

    /// <summary>The infrastructure this fixture uses.</summary>
    public TestInfrastructure Infrastructure { get; private set; } = null!;

    /// <summary>This class's database.</summary>
    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>This class's virtual host.</summary>
    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync()
    {
        Infrastructure = TestInfrastructure.Current;
        _database = await TestDatabase.CreateAsync(Infrastructure);
        _virtualHost = await TestVirtualHost.CreateAsync(Infrastructure);
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
