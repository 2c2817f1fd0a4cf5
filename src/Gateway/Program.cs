using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Hosting;

namespace SharingHub.Gateway;

/// <summary>The Gateway host: ingestion consumers, deconfliction, alerts and the GraphQL endpoint.</summary>
public sealed class Program
{
    private Program() { }

    /// <summary>Runs the host, or with <c>--migrate</c> applies the database migrations and exits.</summary>
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

        app.UseHostingDefaults();
        app.MapDefaultEndpoints();
        app.MapGatewayEndpoints();
        await app.RunAsync();
    }
}
