using Microsoft.Extensions.Options;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

public sealed class OptionsValidationTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    [Theory]
    [InlineData("0")]
    [InlineData("600")]
    public async Task Start_ReadinessTimeoutOutOfRange_FailsNamingTheKey(string timeout)
    {
        var error = await StartFailsAsync(new Dictionary<string, string?> { ["Readiness:TimeoutSeconds"] = timeout });

        Assert.Contains("Readiness:TimeoutSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DatabaseConnectionStringMissing_FailsNamingTheKey()
    {
        var error = await StartFailsAsync(new Dictionary<string, string?> { ["ConnectionStrings:hubdb"] = "" });

        Assert.Contains("ConnectionStrings:hubdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ValidSettings_Starts()
    {
        await using var app = new GatewayApp(fixture, new Dictionary<string, string?> { ["Readiness:TimeoutSeconds"] = "1.5" });

        Assert.NotNull(app.Server);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.GetLivenessAsync(TestContext.Current.CancellationToken)).Status);
    }

    /// <summary>
    /// Starts a Gateway with <paramref name="settings"/> and returns the validation error that stops it. WebApplicationFactory
    /// runs Program on a thread of its own; when start-up fails there, it may dispose the host's services before its own
    /// start reads them, and then reports that <see cref="ObjectDisposedException"/> instead of the host's error. Only in
    /// that case the start is tried again (a few times): what is asserted is always the host's own error.
    /// </summary>
    private async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var app = new GatewayApp(fixture, settings);
            try
            {
                _ = app.Server;
            }
            catch (OptionsValidationException error)
            {
                return error;
            }
            catch (ObjectDisposedException) when (attempt < 5)
            {
                continue;
            }
            Assert.Fail("the Gateway started with invalid settings");
        }
    }
}
