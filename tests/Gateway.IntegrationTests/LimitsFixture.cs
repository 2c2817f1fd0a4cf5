using SharingHub.Gateway.Cli;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// An ingestion hub with a small <c>Ingestion:MaxMessageBytes</c>, set up as <c>./hub up</c> sets one up: the Gateway
/// starts (declaring its queue), then <c>broker setup</c> puts the policies on the queues that now exist, as it does
/// on an existing install.
/// </summary>
public sealed class LimitsFixture : IngestionFixture
{
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>What <c>broker setup</c> printed.</summary>
    public string BrokerSetupOutput { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string?> ConsumerSettings => new Dictionary<string, string?>
    {
        ["Ingestion:ConcurrentMessageLimit"] = "1",
        ["Ingestion:PrefetchCount"] = "4",
        ["Ingestion:MaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["BrokerAdministration:ManagementUri"] = Infrastructure.RabbitMqManagementUri.ToString(),
        ["BrokerAdministration:User"] = Infrastructure.RabbitMqAdminUser,
        ["BrokerAdministration:Password"] = Infrastructure.RabbitMqAdminPassword,
        ["BrokerAdministration:VirtualHost"] = VirtualHost.Name,
        // The operator's commands run as ./hub errors runs them, with the administration credential: a replay sends
        // the message back under its agency's user_id, which only an impersonator may (ADR-007). The Gateway host
        // itself never holds it (BrokerPermissionsTests).
        ["ConnectionStrings:rabbitmq"] = VirtualHost.AmqpUri.ToString(),
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var (exit, output, error) = await RunAsync("broker", "setup");
        Assert.True(exit == 0, error);
        BrokerSetupOutput = output;
    }

    /// <summary>Runs a Gateway command (<c>errors ...</c>, <c>broker setup</c>) in-process against this hub.</summary>
    public async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GatewayCommands.RunAsync(App.Services, args, output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
