using SharingHub.Gateway.Cli;
using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Hosting;

namespace SharingHub.Gateway;

/// <summary>The Gateway host: ingestion consumers, deconfliction, alerts and the GraphQL endpoint.</summary>
public sealed class Program
{
    private Program() { }

    /// <summary>
    /// Runs the host; with <c>--migrate</c> applies the database migrations and exits; with <c>--print-schema</c>
    /// prints the GraphQL schema (SDL) and exits; <c>broker setup</c> and <c>errors ...</c> are operator commands
    /// (<see cref="GatewayCommands"/>).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(GatewayCommands.BuilderOptions(args));
        builder.AddServiceDefaults();
        builder.AddGatewayServices();
        GatewayCommands.ConfigureLogging(builder, args);

        var app = builder.Build();
        if (args.Contains("--migrate"))
        {
            await app.MigrateGatewayDatabaseAsync();
            return 0;
        }
        if (GatewayCommands.IsCommand(args))
        {
            return await GatewayCommands.RunAsync(app.Services, args, Console.Out, Console.Error, app.Lifetime.ApplicationStopping);
        }

        if (args.Contains("--print-schema"))
        {
            await Console.Out.WriteAsync(app.PrintGraphQLSchema());
            return 0;
        }

        app.UseHostingDefaults();
        app.MapDefaultEndpoints();
        app.MapGatewayEndpoints();
        await app.RunAsync();
        return 0;
    }
}
