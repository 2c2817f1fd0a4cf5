using SharingHub.ServiceDefaults.Hosting;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class LoopbackGuardTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.0.0.9:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("https://LOCALHOST:5443")]
    [InlineData("http://unix:/run/hub.sock")]
    public void IsLoopback_LoopbackAddress_IsTrue(string url) =>
        Assert.True(DevelopmentLoopbackGuard.IsLoopback(url));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("http://hub.example:5080")]
    [InlineData("http://localhost.example:5080")]
    public void IsLoopback_AnyOtherAddress_IsFalse(string url) =>
        Assert.False(DevelopmentLoopbackGuard.IsLoopback(url));
}
