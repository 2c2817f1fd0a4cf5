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
    /// Registers <c>ConnectionStrings:{name}</c> as named <see cref="ConnectionStringOptions"/>, read when first
    /// used (so test hosts can override it) and checked at start-up with a message that names the key.
    /// </summary>
    public static IServiceCollection AddRequiredConnectionString(this IServiceCollection services, string name)
    {
        services.AddOptions<ConnectionStringOptions>(name)
            .Configure<IConfiguration>((options, configuration) => options.Value = configuration.GetConnectionString(name) ?? "")
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.Value),
                $"ConnectionStrings:{name} is required (set it in appsettings or as ConnectionStrings__{name}).")
            .ValidateOnStart();
        return services;
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
