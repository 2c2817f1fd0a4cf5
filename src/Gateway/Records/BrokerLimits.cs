using System.Globalization;
using System.Text.RegularExpressions;

namespace SharingHub.Gateway.Records;

/// <summary>
/// The broker-side limits of ingestion, as RabbitMQ policies (ADR-007): the records queue's
/// <c>delivery-limit</c> with the error exchange as its dead-letter exchange, and the error queue's
/// <c>message-ttl</c>. Policies, not queue arguments: a policy applies to a queue that already exists, whereas
/// declaring an existing quorum queue with new <c>x-</c> arguments fails as inequivalent. Applying them needs the
/// management API with a credential that may set policies, which the Gateway does not hold at run time; an
/// operator runs <c>SharingHub.Gateway.dll broker setup</c> (as <c>./hub up</c> does), like a migration.
/// </summary>
internal static class BrokerLimits
{
    /// <summary>The policy that limits deliveries on the records queue.</summary>
    public static string DeliveryLimitPolicy(IngestionOptions options) => $"{options.QueueName}-delivery-limit";

    /// <summary>The policy that expires messages on the error queue.</summary>
    public static string RetentionPolicy(IngestionOptions options) => $"{options.QueueName}_error-retention";

    /// <summary>
    /// Declares the error exchange and queue (as <see cref="ErrorQueueTopology"/> does, so that dead-lettered
    /// messages have somewhere to go before the first fault) and sets both policies on <paramref name="virtualHost"/>.
    /// Idempotent: run it at every deployment, and again after changing the options.
    /// </summary>
    public static async Task ApplyAsync(HttpClient management, string virtualHost, IngestionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(management);
        ArgumentNullException.ThrowIfNull(options);
        var vhost = Uri.EscapeDataString(virtualHost);
        var error = $"{options.QueueName}_error";
        var errorPath = Uri.EscapeDataString(error);
        await SendAsync(management.PutAsJsonAsync($"api/exchanges/{vhost}/{errorPath}",
            new { type = "fanout", durable = true, auto_delete = false, @internal = false, arguments = new Dictionary<string, object>() }, cancellationToken));
        await SendAsync(management.PutAsJsonAsync($"api/queues/{vhost}/{errorPath}",
            new { durable = true, auto_delete = false, arguments = ErrorQueueTopology.QueueArguments }, cancellationToken));
        await SendAsync(management.PostAsJsonAsync($"api/bindings/{vhost}/e/{errorPath}/q/{errorPath}",
            new { routing_key = "", arguments = new Dictionary<string, object>() }, cancellationToken));

        await SendAsync(management.PutAsJsonAsync($"api/policies/{vhost}/{Uri.EscapeDataString(DeliveryLimitPolicy(options))}", new Dictionary<string, object>
        {
            ["pattern"] = $"^{Regex.Escape(options.QueueName)}$",
            ["apply-to"] = "queues",
            ["priority"] = 10,
            ["definition"] = new Dictionary<string, object>
            {
                ["delivery-limit"] = options.DeliveryLimit,
                ["dead-letter-exchange"] = error,
            },
        }, cancellationToken));
        await SendAsync(management.PutAsJsonAsync($"api/policies/{vhost}/{Uri.EscapeDataString(RetentionPolicy(options))}", new Dictionary<string, object>
        {
            ["pattern"] = $"^{Regex.Escape(error)}$",
            ["apply-to"] = "queues",
            ["priority"] = 10,
            ["definition"] = new Dictionary<string, object>
            {
                ["message-ttl"] = (long)TimeSpan.FromDays(options.ErrorRetentionDays).TotalMilliseconds,
            },
        }, cancellationToken));
    }

    private static async Task SendAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture,
                $"RabbitMQ management answered {(int)response.StatusCode} {response.ReasonPhrase} to {response.RequestMessage?.RequestUri?.AbsolutePath}: {body}"));
        }
    }
}
