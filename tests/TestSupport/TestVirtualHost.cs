using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.TestSupport;

/// <summary>
/// A RabbitMQ virtual host of its own, created through the management API and deleted (with its queues and
/// exchanges) on dispose, so tests cannot see each other's messages.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;
    private readonly List<string> _agencyUsers = [];

    private TestVirtualHost(HttpClient management, string name, Uri amqpUri, Uri gatewayAmqpUri)
    {
        _management = management;
        Name = name;
        AmqpUri = amqpUri;
        GatewayAmqpUri = gatewayAmqpUri;
    }

    /// <summary>The virtual host's name.</summary>
    public string Name { get; }

    /// <summary>An AMQP URI for the admin user on this virtual host.</summary>
    public Uri AmqpUri { get; }

    /// <summary>
    /// An AMQP URI for the Gateway's own broker user on this virtual host, with exactly the permissions
    /// <c>./hub infra</c> gives it on the hub's virtual host: what the Gateway under test connects as.
    /// </summary>
    public Uri GatewayAmqpUri { get; }

    /// <summary>The management API client, authenticated as the admin user.</summary>
    public HttpClient Management => _management;

    /// <summary>
    /// Creates a fresh virtual host, grants the admin user full permissions on it, and grants the Gateway's user the
    /// permissions it has on the hub's own virtual host (<c>/</c>), read back from the broker.
    /// </summary>
    public static async Task<TestVirtualHost> CreateAsync(TestInfrastructure infrastructure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infrastructure);
        var management = CreateManagementClient(infrastructure);
        var name = $"test-{Guid.NewGuid():N}";
        var vhost = Uri.EscapeDataString(name);
        try
        {
            await EnsureSuccessAsync(await management.PutAsJsonAsync($"api/vhosts/{vhost}", new { }, cancellationToken));
            await EnsureSuccessAsync(await management.PutAsJsonAsync(
                $"api/permissions/{vhost}/{Uri.EscapeDataString(infrastructure.RabbitMqAdminUser)}",
                new { configure = ".*", write = ".*", read = ".*" },
                cancellationToken));
            var gatewayUser = Uri.EscapeDataString(infrastructure.RabbitMqGatewayUser);
            using var live = await management.GetAsync($"api/permissions/%2F/{gatewayUser}", cancellationToken);
            await EnsureSuccessAsync(live);
            var permissions = await live.Content.ReadFromJsonAsync<Permissions>(cancellationToken)
                ?? throw new InvalidOperationException($"RabbitMQ returned no permissions for {infrastructure.RabbitMqGatewayUser} on /");
            await EnsureSuccessAsync(await management.PutAsJsonAsync($"api/permissions/{vhost}/{gatewayUser}",
                new { permissions.Configure, permissions.Write, permissions.Read }, JsonOptions, cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            management.Dispose();
            throw new InfrastructureUnavailableException(
                $"RabbitMQ management at {infrastructure.RabbitMqManagementUri} is unreachable ({ex.Message}). {TestInfrastructure.RunHubInfra}", ex);
        }

        var amqp = new UriBuilder(infrastructure.RabbitMqUri) { Path = "/" + vhost }.Uri;
        var gateway = new UriBuilder(infrastructure.RabbitMqGatewayUri) { Path = "/" + vhost }.Uri;
        return new TestVirtualHost(management, name, amqp, gateway);
    }

    /// <summary>
    /// Creates broker user <paramref name="code"/> as the provisioner does (no tags; on this virtual host it may
    /// publish to the record exchanges and read its own alert queue, nothing else) and returns its password. The user
    /// is deleted on dispose.
    /// </summary>
    public async Task<string> AddAgencyUserAsync(string code, CancellationToken cancellationToken = default)
    {
        var password = Guid.NewGuid().ToString("N");
        var user = Uri.EscapeDataString(code);
        await EnsureSuccessAsync(await _management.PutAsJsonAsync($"api/users/{user}", new { password, tags = "" }, cancellationToken));
        _agencyUsers.Add(code);
        await EnsureSuccessAsync(await _management.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(Name)}/{user}",
            new
            {
                configure = AgencyBrokerTopology.ConfigurePermission,
                write = AgencyBrokerTopology.WritePermission,
                read = AgencyBrokerTopology.ReadPermission(code),
            }, cancellationToken));
        return password;
    }

    /// <summary>An agency user's read pattern: its own alert queue only (as the provisioner sets it).</summary>
    public static string AgencyReadPermission(string code) => AgencyBrokerTopology.ReadPermission(code);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>A user's permissions on a virtual host, as the management API shows them.</summary>
    private sealed record Permissions(string Configure, string Write, string Read);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var user in _agencyUsers)
        {
            using var deleted = await _management.DeleteAsync($"api/users/{Uri.EscapeDataString(user)}");
        }
        using var response = await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response);
        }
        _management.Dispose();
    }

    private static HttpClient CreateManagementClient(TestInfrastructure infrastructure)
    {
        var client = new HttpClient { BaseAddress = infrastructure.RabbitMqManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        var credentials = Convert.ToBase64String(
            Encoding.UTF8.GetBytes($"{infrastructure.RabbitMqAdminUser}:{infrastructure.RabbitMqAdminPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException(
                $"RabbitMQ management answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}",
                null,
                response.StatusCode);
        }
    }
}
