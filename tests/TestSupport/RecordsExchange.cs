using SharingHub.Contracts.V1;

namespace SharingHub.TestSupport;

/// <summary>The records exchange that a starting Gateway declares on its virtual host.</summary>
public static class RecordsExchange
{
    /// <summary>Waits until the Gateway has declared the exchange, so that publishes are routed.</summary>
    public static Task WaitForRecordsExchangeAsync(this TestVirtualHost virtualHost)
    {
        var exchange = Uri.EscapeDataString($"{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}");
        return Eventually.UntilAsync(async () =>
        {
            using var response = await virtualHost.Management.GetAsync($"api/exchanges/{Uri.EscapeDataString(virtualHost.Name)}/{exchange}");
            return response.IsSuccessStatusCode;
        }, "the Gateway to declare the records exchange");
    }
}
