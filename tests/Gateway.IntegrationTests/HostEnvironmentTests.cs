using System.Diagnostics;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Least privilege in development too: the environment <c>./hub</c> starts each host with (<c>hub_host_env</c>, used
/// by <c>./hub up</c> and by every <c>./hub</c> command that runs a host's program) holds that host's own credentials
/// and no other: no broker administration credential, no database admin role, and neither the other host's database
/// nor, for the Gateway, Identity's at-rest secrets.
/// </summary>
public sealed class HostEnvironmentTests
{
    private static readonly string[] NeverInAHost =
    [
        "HUB_RABBIT_ADMIN_USER", "HUB_RABBIT_ADMIN_PASSWORD", "HUB_RABBIT_ADMIN_URL", "HUB_PG_ADMIN",
    ];

    [Theory]
    [InlineData("Gateway", new[] { "ConnectionStrings__hubdb", "ConnectionStrings__rabbitmq" },
        new[] { "ConnectionStrings__identitydb", "Keys__Passphrase", "DataProtection__CertificatePassword" })]
    [InlineData("Identity", new[] { "ConnectionStrings__identitydb", "Keys__Passphrase", "DataProtection__CertificatePassword" },
        new[] { "ConnectionStrings__hubdb", "ConnectionStrings__rabbitmq" })]
    public async Task HostEnv_AfterTheAdministrationCredentialWasExported_HoldsOnlyTheHostsOwnSecrets(string host, string[] own, string[] others)
    {
        // As up's broker setup leaves a shell: the administration credential exported just before a host starts.
        var names = await VariablesAsync($"hub_admin_env; hub_host_env {host}");

        Assert.All(own, name => Assert.Contains(name, names));
        Assert.All(others.Concat(NeverInAHost), name => Assert.DoesNotContain(name, names));
    }

    [Fact]
    public async Task HostEnv_ForATool_KeepsWhatToolsNeed()
    {
        var names = await VariablesAsync("hub_host_env Bench");

        Assert.Contains("ConnectionStrings__hubdb", names);
        Assert.Contains("HUB_PG_ADMIN", names);
    }

    // The names exported after SCRIPT runs in a shell that sourced ./hub's common functions.
    private static async Task<HashSet<string>> VariablesAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = HubCommand.Root.FullName };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"set -euo pipefail; export HUB_ROOT=\"$PWD\"; . scripts/common.sh; {script}; env -0 | cut -z -d= -f1 | tr '\\0' '\\n'");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
