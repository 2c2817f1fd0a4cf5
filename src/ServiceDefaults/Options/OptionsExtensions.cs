using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SharingHub.ServiceDefaults.Options;

/// <summary>The one way options are registered in the hub's hosts.</summary>
public static class OptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="sectionName"/>, validates its data annotations
    /// and fails start-up with messages that name the full configuration key (<c>Section:Property</c>).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string sectionName)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionAnnotationsValidator<TOptions>(sectionName));
        return services.AddOptions<TOptions>()
            .BindConfiguration(sectionName, o => o.ErrorOnUnknownConfiguration = false)
            .ValidateOnStart();
    }

    /// <summary>
    /// Reads <c>ConnectionStrings:{name}</c>, failing with a message that names the key when it is missing.
    /// </summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new OptionsValidationException(
                $"ConnectionStrings:{name}",
                typeof(string),
                [$"ConnectionStrings:{name} is required (set it in appsettings or as ConnectionStrings__{name})."]);
        }
        return value;
    }
}
