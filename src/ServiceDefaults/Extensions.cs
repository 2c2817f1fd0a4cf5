using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SharingHub.ServiceDefaults.Health;
using SharingHub.ServiceDefaults.Hosting;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.ServiceDefaults;

/// <summary>
/// Cross-cutting defaults shared by the hub's hosts: telemetry, health endpoints and validated options.
/// </summary>
public static class Extensions
{
    /// <summary>Health-check tag for checks that decide readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Health-check tag for checks that decide liveness (<c>/health/live</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds OpenTelemetry (exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; traces, made only then,
    /// include MassTransit's and Npgsql's own spans, see <see cref="AddHubTracing"/>),
    /// the liveness check, the readiness options and the edge defaults of <see cref="HostingDefaults"/>
    /// (ProblemDetails errors, trusted proxies, loopback-only Development).
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHostingDefaults(builder.Environment);
        builder.Services.AddValidatedOptions<ReadinessOptions>(ReadinessOptions.SectionName);
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Adds a readiness check that opens a connection to the PostgreSQL database named by
    /// <c>ConnectionStrings:{connectionName}</c> and runs <c>SELECT 1</c>.
    /// </summary>
    public static IHealthChecksBuilder AddPostgresReadiness(this IHealthChecksBuilder checks, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.AddRequiredConnectionString(connectionName);
        return checks.Add(new HealthCheckRegistration(
            $"postgres-{connectionName}",
            sp => ActivatorUtilities.CreateInstance<PostgresHealthCheck>(sp, connectionName),
            HealthStatus.Unhealthy,
            [ReadyTag]));
    }

    /// <summary>
    /// Adds a readiness check that opens an AMQP connection to the broker named by
    /// <c>ConnectionStrings:{connectionName}</c>.
    /// </summary>
    public static IHealthChecksBuilder AddRabbitMqReadiness(this IHealthChecksBuilder checks, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.AddRequiredConnectionString(connectionName);
        // One instance per broker, so its connection outlives a single probe.
        checks.Services.AddKeyedSingleton(connectionName, (sp, _) => ActivatorUtilities.CreateInstance<RabbitMqHealthCheck>(sp, connectionName));
        return checks.Add(new HealthCheckRegistration(
            $"rabbitmq-{connectionName}",
            sp => sp.GetRequiredKeyedService<RabbitMqHealthCheck>(connectionName),
            HealthStatus.Unhealthy,
            [ReadyTag]));
    }

    /// <summary>
    /// Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (its dependencies answer).
    /// Both answer 200 when healthy and 503 otherwise, and both are open to anonymous callers (probes carry no token).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
        }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service (the SDK reads it); an explicit name would override it.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(builder.Environment.ApplicationName);
                }
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Telemetry.MeterName));
        // Spans are made only when something takes them: with an OTLP endpoint (or an exporter a test adds in process
        // with AddHubTracing). Otherwise every message, statement and match run would build spans that nothing reads:
        // measured, about 7 % of the Gateway's processor time while ingesting.
        if (otlp)
        {
            builder.Services.AddHubTracing(builder.Environment.ApplicationName);
            otel.UseOtlpExporter();
        }
    }

    /// <summary>
    /// Registers the hosts' tracing (ADR-013): the host's and the hub's own sources, MassTransit's and Npgsql's, ASP.NET
    /// Core's and HttpClient's, with the hub's sampler. <see cref="AddServiceDefaults{TBuilder}"/> calls it when an
    /// OTLP endpoint is set; a test that collects spans in process calls it with its exporter.
    /// </summary>
    public static IServiceCollection AddHubTracing(this IServiceCollection services, string applicationName)
    {
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .SetSampler(Telemetry.Sampler)
            .AddSource(applicationName)
            .AddSource(Telemetry.ActivitySourceName)
            // The libraries' own sources (ADR-013): MassTransit's send, receive and consume spans carry the trace
            // through RabbitMQ (its MT-Activity-Id header); Npgsql's span each command, with the SQL text (parameters
            // stay placeholders: their values are never recorded).
            .AddSource(Telemetry.MassTransitSourceName)
            .AddNpgsql()
            .AddAspNetCoreInstrumentation(o =>
                o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
            .AddHttpClientInstrumentation());
        return services;
    }
}
