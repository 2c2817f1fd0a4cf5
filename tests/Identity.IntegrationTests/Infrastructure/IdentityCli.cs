using System.Diagnostics;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>
/// Identity's command line as <c>./hub identity ...</c> runs it (<c>dotnet SharingHub.Identity.dll ARGS</c>, Development),
/// pointed at a test Identity's database, key file and development secrets.
/// </summary>
internal static class IdentityCli
{
    /// <summary>Runs <c>SharingHub.Identity ARGS</c> against <paramref name="identity"/>'s state; returns its exit code and outputs.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IdentityApp identity, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HubCheckout.Dll("Identity"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add($"--ConnectionStrings:identitydb={identity.ConnectionString}");
        if (!args.Any(a => a.StartsWith("--Keys:File=", StringComparison.Ordinal)))
        {
            start.ArgumentList.Add($"--Keys:File={identity.KeyFile}");
        }
        start.ArgumentList.Add($"--Seeding:DevelopmentSecretsFile={Path.Combine(identity.StateDirectory, "dev-secrets.json")}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        // ./hub test exports the checkout's own databases: the command must see only this test's.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var ct = TestContext.Current.CancellationToken;
        var error = process.StandardError.ReadToEndAsync(ct);
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        return (process.ExitCode, output, await error);
    }
}
