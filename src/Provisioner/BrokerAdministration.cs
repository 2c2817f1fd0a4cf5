using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharingHub.Provisioner;

/// <summary>A user's permissions on a virtual host, as the management API shows and takes them.</summary>
internal sealed record BrokerPermissions(
    [property: JsonPropertyName("configure")] string Configure,
    [property: JsonPropertyName("write")] string Write,
    [property: JsonPropertyName("read")] string Read);

/// <summary>
/// The RabbitMQ management HTTP API, as the broker administration user (the provisioner's <see cref="HttpClient"/>
/// carries its basic credentials). Each call is idempotent and says whether it changed anything, so a reconciliation
/// audits what it did and a resync that finds nothing to do writes nothing.
/// </summary>
internal sealed class BrokerAdministration(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Whether user <paramref name="user"/> exists.</summary>
    public async Task<bool> UserExistsAsync(string user, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/users/{Escape(user)}", cancellationToken);
        return response.StatusCode != HttpStatusCode.NotFound && Ensure(response, "GET user").IsSuccessStatusCode;
    }

    /// <summary>Creates user <paramref name="user"/> without tags (no management access) with <paramref name="password"/>.</summary>
    public async Task CreateUserAsync(string user, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"api/users/{Escape(user)}", new { password, tags = "" }, Json, cancellationToken);
        Ensure(response, "PUT user");
    }

    /// <summary>The user's permissions on <paramref name="virtualHost"/>; null when it has none.</summary>
    public async Task<BrokerPermissions?> PermissionsAsync(string virtualHost, string user, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/permissions/{Escape(virtualHost)}/{Escape(user)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        Ensure(response, "GET permissions");
        return await response.Content.ReadFromJsonAsync<BrokerPermissions>(Json, cancellationToken);
    }

    /// <summary>Sets the user's permissions on <paramref name="virtualHost"/>.</summary>
    public async Task SetPermissionsAsync(string virtualHost, string user, BrokerPermissions permissions, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"api/permissions/{Escape(virtualHost)}/{Escape(user)}", permissions, Json, cancellationToken);
        Ensure(response, "PUT permissions");
    }

    /// <summary>Removes the user's permissions on <paramref name="virtualHost"/>: it can no longer open a connection there.</summary>
    /// <returns>Whether it had any.</returns>
    public async Task<bool> DeletePermissionsAsync(string virtualHost, string user, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"api/permissions/{Escape(virtualHost)}/{Escape(user)}", cancellationToken);
        return response.StatusCode != HttpStatusCode.NotFound && Ensure(response, "DELETE permissions").IsSuccessStatusCode;
    }

    /// <summary>Declares a durable direct exchange (as the Gateway's relay declares it).</summary>
    /// <returns>Whether it was created (false: it existed).</returns>
    public async Task<bool> DeclareDirectExchangeAsync(string virtualHost, string exchange, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"api/exchanges/{Escape(virtualHost)}/{Escape(exchange)}",
            new { type = "direct", durable = true, auto_delete = false, @internal = false, arguments = new Dictionary<string, object?>() }, Json, cancellationToken);
        return Ensure(response, "PUT exchange").StatusCode == HttpStatusCode.Created;
    }

    /// <summary>Declares a durable queue with <paramref name="arguments"/>.</summary>
    /// <returns>Whether it was created (false: it existed with the same arguments).</returns>
    public async Task<bool> DeclareQueueAsync(string virtualHost, string queue, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"api/queues/{Escape(virtualHost)}/{Escape(queue)}",
            new { durable = true, auto_delete = false, arguments }, Json, cancellationToken);
        return Ensure(response, "PUT queue").StatusCode == HttpStatusCode.Created;
    }

    /// <summary>Binds <paramref name="queue"/> to <paramref name="exchange"/> with <paramref name="routingKey"/> unless it is.</summary>
    /// <returns>Whether the binding was added.</returns>
    public async Task<bool> EnsureBindingAsync(string virtualHost, string exchange, string queue, string routingKey, CancellationToken cancellationToken)
    {
        var path = $"api/bindings/{Escape(virtualHost)}/e/{Escape(exchange)}/q/{Escape(queue)}";
        using (var existing = await http.GetAsync(path, cancellationToken))
        {
            Ensure(existing, "GET bindings");
            var bindings = await existing.Content.ReadFromJsonAsync<JsonElement[]>(Json, cancellationToken) ?? [];
            if (bindings.Any(b => b.GetProperty("routing_key").GetString() == routingKey))
            {
                return false;
            }
        }
        using var response = await http.PostAsJsonAsync(path, new { routing_key = routingKey }, Json, cancellationToken);
        Ensure(response, "POST binding");
        return true;
    }

    /// <summary>Closes every connection of <paramref name="user"/> (its connector is refused at once, not at its next connect).</summary>
    /// <returns>How many were closed.</returns>
    public async Task<int> CloseConnectionsAsync(string user, CancellationToken cancellationToken)
    {
        // The user's tracked connections: registered as a connection opens, unlike the statistics behind
        // api/connections, which list a connection only once the broker has emitted its stats (every 5 s by default).
        using var listing = await http.GetAsync($"api/connections/username/{Escape(user)}", cancellationToken);
        Ensure(listing, "GET connections");
        var connections = await listing.Content.ReadFromJsonAsync<JsonElement[]>(Json, cancellationToken) ?? [];
        var closed = 0;
        foreach (var connection in connections.Where(c => c.TryGetProperty("user", out var u) && u.GetString() == user))
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Escape(connection.GetProperty("name").GetString()!)}");
            request.Headers.Add("X-Reason", "agency disabled by the hub");
            using var response = await http.SendAsync(request, cancellationToken);
            // Gone meanwhile is as good as closed.
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                Ensure(response, "DELETE connection");
            }
            closed++;
        }
        return closed;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    // The status and the operation only: the body may echo a request, and a request may carry a password.
    private static HttpResponseMessage Ensure(HttpResponseMessage response, string operation) => response.IsSuccessStatusCode
        ? response
        : throw new BrokerAdministrationException($"management API {operation}: {(int)response.StatusCode} {response.ReasonPhrase}");
}

/// <summary>The management API refused or failed a call; the message holds the operation and status, never a body.</summary>
internal sealed class BrokerAdministrationException(string message) : Exception(message);
