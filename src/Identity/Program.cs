using SharingHub.Identity.Cli;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Hosting;

namespace SharingHub.Identity;

/// <summary>The Identity host: the hub's OpenID Connect provider.</summary>
public sealed class Program
{
    private Program() { }

    /// <summary>
    /// Runs the host, or an administrative command: <c>--migrate</c> applies the database migrations;
    /// <c>seed</c>, <c>clients</c>, <c>token</c> and <c>keys rotate</c> are described in <see cref="IdentityCommands"/>.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(IdentityCommands.BuilderOptions(args));
        builder.AddServiceDefaults();
        builder.AddIdentityServices();
        IdentityCommands.ConfigureLogging(builder, args);

        var app = builder.Build();
        if (IdentityCommands.IsCommand(args))
        {
            return await IdentityCommands.RunAsync(app, args);
        }

        app.UseHostingDefaults();
        app.MapDefaultEndpoints();
        app.MapIdentityEndpoints();
        await app.RunAsync();
        return 0;
    }
}
