using Npgsql;

namespace SharingHub.Gateway.Tests.Data;

/// <summary>
/// The request path's pools prepare their statements and skip Npgsql's connection reset, unless the connection string
/// says otherwise (pure: the connection string the pools are built from).
/// </summary>
public sealed class RequestPoolSettingsTests
{
    [Fact]
    public void WithAutoPrepare_PlainConnectionString_PreparesAndSkipsTheReset()
    {
        var settings = new NpgsqlConnectionStringBuilder(Extensions.WithAutoPrepare("Host=127.0.0.1;Username=gateway;Database=hub"));

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal("127.0.0.1", settings.Host);
    }

    [Theory]
    [InlineData("Host=h;No Reset On Close=false;Max Auto Prepare=8")]
    [InlineData("Host=h;NoResetOnClose=false;MaxAutoPrepare=8")]
    public void WithAutoPrepare_ConnectionStringSetsBoth_ItsValuesKept(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(Extensions.WithAutoPrepare(connectionString));

        Assert.Equal(8, settings.MaxAutoPrepare);
        Assert.False(settings.NoResetOnClose);
    }
}
