using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class BrokerNodesTests
{
    [Fact]
    public void Parse_HostPortList_EndpointsInOrder()
    {
        var nodes = BrokerNodes.Parse(" 127.0.0.1:5704, 127.0.0.1:5705 ,rabbit-2:5672");

        Assert.Equal(["127.0.0.1:5704", "127.0.0.1:5705", "rabbit-2:5672"], nodes.Select(BrokerNodes.ToNode));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_NothingConfigured_NoNodes(string? value) => Assert.Empty(BrokerNodes.Parse(value));

    [Theory]
    [InlineData("127.0.0.1:5704,", "''")]
    [InlineData(":5672", "':5672'")]
    [InlineData("127.0.0.1:0", "'127.0.0.1:0'")]
    [InlineData("127.0.0.1:70000", "'127.0.0.1:70000'")]
    [InlineData("127.0.0.1:amqp", "'127.0.0.1:amqp'")]
    public void Parse_BadEntry_FormatExceptionNamingTheKeyAndEntry(string value, string entry)
    {
        var error = Assert.Throws<FormatException>(() => BrokerNodes.Parse(value));

        Assert.StartsWith($"Broker:Nodes: {entry} ", error.Message, StringComparison.Ordinal);
    }
}
