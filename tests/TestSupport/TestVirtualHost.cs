using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace SharingHub.TestSupport;

/// <summary>
/// A RabbitMQ virtual host of its own, created through the management API and deleted (with its queues and
/// exchanges) on dispose, so tests cannot see each other's messages.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private TestVirtualHost(HttpClient management, string name, Uri amqpUri)
    {
        _management = management;
        Name = name;
        AmqpUri = amqpUri;
    }

    /// <summary>The virtual host's name.</summary>
    public string Name { get; }

    /// <summary>An AMQP URI for the admin user on this virtual host.</summary>
    public Uri AmqpUri { get; }

    /// <summary>The management API client, authenticated as the admin user.</summary>
    public HttpClient Management => _management;

    /// <summary>Creates a fresh virtual host and grants the admin user full permissions on it.</summary>
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
        }
        catch (HttpRequestException ex)
        {
            management.Dispose();
            throw new InfrastructureUnavailableException(
                $"RabbitMQ management at {infrastructure.RabbitMqManagementUri} is unreachable ({ex.Message}). {TestInfrastructure.RunHubInfra}", ex);
        }

        var amqp = new UriBuilder(infrastructure.RabbitMqUri) { Path = "/" + vhost }.Uri;
        return new TestVirtualHost(management, name, amqp);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
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
