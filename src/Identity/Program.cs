using SharingHub.ServiceDefaults;

namespace SharingHub.Identity;

/// <summary>The Identity host: the hub's OpenID Connect provider.</summary>
public sealed class Program
{
    private Program() { }

    /// <summary>Runs the host.</summary>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddIdentityServices();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapIdentityEndpoints();
        await app.RunAsync();
    }
}
