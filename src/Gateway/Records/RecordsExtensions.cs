using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SharingHub.Gateway.Errors;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Records;

/// <summary>Wiring of the Records feature.</summary>
public static class RecordsExtensions
{
    /// <summary>Registers record ingestion's options, metrics and storage.</summary>
    public static IServiceCollection AddRecordIngestion(this IServiceCollection services)
    {
        services.AddValidatedOptions<IngestionOptions>(IngestionOptions.SectionName);
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<ErrorQueueTopology>();
        // Birth dates in the future are judged by this clock; tests may register their own first.
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ErrorQueueTool>();
        services.AddScoped<RecordStore>();
        services.AddScoped<OperationSubmission>();
        return services;
    }

    /// <summary>Registers the records consumer on the bus.</summary>
    public static IBusRegistrationConfigurator AddRecordConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<RecordConsumer, RecordConsumerDefinition>();
        return bus;
    }
}
