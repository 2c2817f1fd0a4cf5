using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using SharingHub.Identity.Audit;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.Identity.Seeding;

namespace SharingHub.Identity.IntegrationTests;

/// <summary>
/// panva's openid-client (a certified OpenID relying-party library) and jose, unmodified, from npm, against Identity
/// on a real port: discovery, JWKS, client credentials, and local validation of the access token.
/// </summary>
public sealed class RealClientTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static readonly string ClientDirectory = Path.GetFullPath(typeof(RealClientTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OidcClientDirectory").Value!);

    [Fact]
    public async Task OpenIdClient_ClientCredentials_PassesDiscoveryJwksGrantAndValidation()
    {
        var clientId = Seeder.DemoConnectorId(TestAgencies.Shelter);
        await EnsureInstalledAsync();

        var (exitCode, output, errors) = await RunAsync("node",
            ["check.mjs", fixture.App.BaseUri.AbsoluteUri, clientId, fixture.App.ClientSecret(clientId)]);

        Assert.True(exitCode == 0, $"node check.mjs failed ({exitCode}): {errors}{output}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.Equal(fixture.App.BaseUri.AbsoluteUri, root.GetProperty("issuer").GetString());
        Assert.True(root.GetProperty("jwksKeys").GetInt32() > 0);
        Assert.Equal("RS256", root.GetProperty("alg").GetString());
        Assert.Equal(clientId, root.GetProperty("sub").GetString());
        Assert.Equal(TestAgencies.Shelter, root.GetProperty("agency").GetString());
        Assert.Equal("sharinghub-api", root.GetProperty("aud").GetString());
        Assert.Contains(await fixture.App.AuditAsync(), a => a.Event == AuditEvents.TokenIssued && a.ClientId == clientId);
    }

    /// <summary>Installs the pinned packages from the lock file (npm ci) unless they are already there.</summary>
    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Path.Combine(ClientDirectory, "node_modules", "openid-client", "package.json"))
            && File.Exists(Path.Combine(ClientDirectory, "node_modules", "jose", "package.json")))
        {
            return;
        }
        var (exitCode, output, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"]);
        Assert.True(exitCode == 0, $"npm ci failed in {ClientDirectory} ({exitCode}): {errors}{output}");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{program}' cannot be run ({e.Message}). This test needs Node.js 20+ and npm on PATH (Debian: apt-get install nodejs npm).", e);
        }
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await errors);
        }
    }
}
