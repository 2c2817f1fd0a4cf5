using System.Diagnostics;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>A folder of stock npm clients (its package.json and lock file) and a way to run them with Node.</summary>
internal sealed class NodeClient(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Installs the pinned packages from the lock file (npm ci) unless each of <paramref name="packages"/> is there.</summary>
    public async Task EnsureInstalledAsync(params string[] packages)
    {
        if (packages.All(p => File.Exists(Path.Combine(Directory, "node_modules", p, "package.json"))))
        {
            return;
        }
        var (exitCode, output, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"]);
        Assert.True(exitCode == 0, $"npm ci failed in {Directory} ({exitCode}): {errors}{output}");
    }

    /// <summary>Runs <paramref name="program"/> in the folder; its exit code, standard output and standard error.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Directory,
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
                $"'{program}' cannot be run ({e.Message}). This test needs Node.js and npm on PATH (./hub infra installs them).", e);
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
