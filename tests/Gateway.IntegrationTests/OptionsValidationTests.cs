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
        await using var app = new GatewayApp(fixture, new Dictionary<string, string?> { ["Readiness:TimeoutSeconds"] = timeout });

        var error = Assert.Throws<OptionsValidationException>(() => app.Server);

        Assert.Contains("Readiness:TimeoutSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DatabaseConnectionStringMissing_FailsNamingTheKey()
    {
        await using var app = new GatewayApp(fixture, new Dictionary<string, string?> { ["ConnectionStrings:hubdb"] = "" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Server);

        Assert.Contains("ConnectionStrings:hubdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ValidSettings_Starts()
    {
        await using var app = new GatewayApp(fixture, new Dictionary<string, string?> { ["Readiness:TimeoutSeconds"] = "1.5" });

        Assert.NotNull(app.Server);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.GetLivenessAsync(TestContext.Current.CancellationToken)).Status);
    }
}
