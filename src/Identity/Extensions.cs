using SharingHub.ServiceDefaults;

namespace SharingHub.Identity;

/// <summary>Wires the Identity host's features, once each.</summary>
public static class Extensions
{
    /// <summary>Name of Identity's PostgreSQL connection string (<c>ConnectionStrings:identitydb</c>).</summary>
    public const string DatabaseConnectionName = "identitydb";

    /// <summary>Registers Identity's store and readiness checks.</summary>
    public static WebApplicationBuilder AddIdentityServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks().AddPostgresReadiness(DatabaseConnectionName);
        return builder;
    }

    /// <summary>Maps Identity's HTTP endpoints.</summary>
    public static WebApplication MapIdentityEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Ok(new { service = "SharingHub.Identity" }));
        return app;
    }
}
