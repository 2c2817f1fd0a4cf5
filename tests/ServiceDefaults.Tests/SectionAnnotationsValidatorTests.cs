using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class SectionAnnotationsValidatorTests
{
    [Fact]
    public void Validate_OutOfRange_NamesTheFullKey()
    {
        var validator = new SectionAnnotationsValidator<ReadinessOptions>(ReadinessOptions.SectionName);

        var result = validator.Validate(null, new ReadinessOptions { TimeoutSeconds = 0 });

        Assert.True(result.Failed);
        Assert.StartsWith("Readiness:TimeoutSeconds: ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InRange_Succeeds()
    {
        var validator = new SectionAnnotationsValidator<ReadinessOptions>(ReadinessOptions.SectionName);

        Assert.True(validator.Validate(null, new ReadinessOptions { TimeoutSeconds = 2 }).Succeeded);
    }

    [Fact]
    public void AddValidatedOptions_BadConfiguration_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Readiness:TimeoutSeconds"] = "31" })
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddValidatedOptions<ReadinessOptions>(ReadinessOptions.SectionName).Services
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ReadinessOptions>>().Value);

        Assert.Contains("Readiness:TimeoutSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRequiredConnectionString_Missing_FailsNamingTheKey()
    {
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddRequiredConnectionString("hubdb")
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get("hubdb"));

        Assert.Contains("ConnectionStrings:hubdb", error.Message, StringComparison.Ordinal);
    }
}
