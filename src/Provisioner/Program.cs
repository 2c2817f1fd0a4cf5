using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Hosting;

namespace SharingHub.Provisioner;

/// <summary>
/// The provisioner: brings the broker and Identity to the agency registry that the Gateway's <c>registerAgency</c>
/// and <c>disableAgency</c> write (ADR-014). The only holder of the broker administration credential.
/// </summary>
public sealed class Program
{
    private Program() { }

    /// <summary>Runs the host until it is stopped.</summary>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddProvisionerServices();

        var app = builder.Build();
        app.UseHostingDefaults();
        app.MapDefaultEndpoints();
        await app.RunAsync();
    }
}
