using SharingHub.Contracts.V1;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>The records exchange that a starting Gateway declares on its virtual host.</summary>
internal static class RecordsExchange
{
    /// <summary>Waits (up to 10 s) until the Gateway has declared the exchange, so that publishes are routed.</summary>
    public static async Task WaitForRecordsExchangeAsync(this TestVirtualHost virtualHost)
    {
        var exchange = Uri.EscapeDataString($"{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}");
        for (var i = 0; i < 100; i++)
        {
            using var response = await virtualHost.Management.GetAsync($"api/exchanges/{Uri.EscapeDataString(virtualHost.Name)}/{exchange}");
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("the Gateway did not declare the records exchange");
    }
}
