using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults;

namespace SharingHub.Gateway;

/// <summary>The Gateway host: ingestion consumers, deconfliction, alerts and the GraphQL endpoint.</summary>
public sealed class Program
{
    private Program() { }

    /// <summary>
    /// Runs the host; with <c>--migrate</c> applies the database migrations and exits; with <c>--print-schema</c>
    /// prints the GraphQL schema (SDL) and exits.
    /// </summary>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddGatewayServices();

        var app = builder.Build();
        if (args.Contains("--migrate"))
        {
            await app.MigrateGatewayDatabaseAsync();
            return;
        }

        if (args.Contains("--print-schema"))
        {
            await Console.Out.WriteAsync(app.PrintGraphQLSchema());
            return;
        }

        app.MapDefaultEndpoints();
        app.MapGatewayEndpoints();
        await app.RunAsync();
    }
}
