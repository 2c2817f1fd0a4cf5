using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharingHub.Gateway.Data;

namespace SharingHub.TestSupport;

/// <summary>
/// The Gateway host in-process, on a test class's own database and virtual host, with intent methods for what
/// tests do with it. Extra settings override appsettings and the environment.
/// </summary>
public sealed class GatewayApp : WebApplicationFactory<SharingHub.Gateway.Program>
{
    private readonly Dictionary<string, string?> _settings;

    /// <summary>Creates the app on <paramref name="fixture"/>'s database and virtual host, as the Gateway's own broker user.</summary>
    public GatewayApp(HubInfrastructureFixture fixture, IReadOnlyDictionary<string, string?>? settings = null)
        : this(fixture.Database.ConnectionString, fixture.VirtualHost.GatewayAmqpUri.ToString(), settings)
    {
    }

    /// <summary>Creates the app on explicit connection strings (for tests that route them through a proxy).</summary>
    public GatewayApp(string databaseConnectionString, string brokerUri, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:hubdb"] = databaseConnectionString,
            ["ConnectionStrings:rabbitmq"] = brokerUri,
            // Metadata is fetched lazily: tests that present no token never reach this issuer. It is https because
            // outside Development (these hosts run as "Testing") Gateway refuses a plain-HTTP authority.
            ["Authentication:Authority"] = "https://127.0.0.1:5090/",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    /// <summary>When set before the host starts, every log entry of the host is also kept here.</summary>
    public CapturingLoggerProvider? Logs { get; init; }

    /// <summary>When set before the host starts, runs after the host's own registrations (e.g. to add a span exporter).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>
    /// The host environment (default <c>Testing</c>). <c>Development</c> lets the authority be a test Identity over plain
    /// HTTP on loopback. Set here rather than through <c>WithWebHostBuilder</c>, whose new factory would lose
    /// <see cref="StartOnRealPort()"/>.
    /// </summary>
    public string Environment { get; init; } = "Testing";

    /// <summary>The base address of the real Kestrel server, once <see cref="StartOnRealPort()"/> has started it.</summary>
    public Uri? BaseUri { get; private set; }

    /// <summary>
    /// Starts the host on real Kestrel on a free loopback port (instead of the in-memory test server), so that
    /// programs outside this process (Node clients) can reach it; returns its base address.
    /// </summary>
    public Uri StartOnRealPort() => StartOnRealPort(FreePort());

    /// <summary>
    /// Starts the host on real Kestrel on <paramref name="port"/> (chosen with <see cref="FreePort"/> before, when
    /// another host must know the address first: Identity's redirect URI for the inbox page).
    /// </summary>
    public Uri StartOnRealPort(int port)
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        StartServer();
        return BaseUri;
    }

    /// <summary>A loopback port free now.</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Applies the Gateway's migrations to its database, as <c>--migrate</c> does.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HubDbContext>().ApplyMigrationsAsync(cancellationToken);
    }

    /// <summary>GET <c>/health/ready</c>: the status code and the JSON body.</summary>
    public Task<(HttpStatusCode Status, string Body)> GetReadinessAsync(CancellationToken cancellationToken = default) =>
        GetAsync("/health/ready", cancellationToken);

    /// <summary>
    /// Polls <c>/health/ready</c> until it answers <paramref name="expected"/>, and returns that answer. A host notices
    /// a dependency's change only at its next probe (and a just-started one may need a first broker handshake); how
    /// long that takes is not what tests assert, so the wait is <see cref="Eventually.Patience"/>.
    /// </summary>
    public Task<(HttpStatusCode Status, string Body)> WaitForReadinessAsync(HttpStatusCode expected, CancellationToken cancellationToken = default) =>
        Eventually.UntilAsync(() => GetReadinessAsync(cancellationToken), answer => answer.Status == expected,
            $"/health/ready to answer {(int)expected}", cancellationToken: cancellationToken);

    /// <summary>GET <c>/health/live</c>: the status code and the body.</summary>
    public Task<(HttpStatusCode Status, string Body)> GetLivenessAsync(CancellationToken cancellationToken = default) =>
        GetAsync("/health/live", cancellationToken);

    /// <summary>Runs <paramref name="work"/> with a scoped <see cref="HubDbContext"/>.</summary>
    public async Task<T> WithDatabaseAsync<T>(Func<HubDbContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<HubDbContext>());
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        if (Logs is { } logs)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
        if (TestServices is { } services)
        {
            builder.ConfigureServices(services);
        }
    }

    private async Task<(HttpStatusCode, string)> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
