using System.Diagnostics;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>The <c>./hub</c> script of this checkout, run with the test run's environment (ports included).</summary>
internal static class HubCommand
{
    /// <summary>The checkout's root: the folder that holds <c>hub</c>.</summary>
    public static DirectoryInfo Root
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "hub")))
            {
                root = root.Parent;
            }
            Assert.NotNull(root);
            return root;
        }
    }

    /// <summary>Runs <c>./hub ARGS</c>; fails the test on a non-zero exit; returns its standard output.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Root.FullName, "hub")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"./hub {string.Join(' ', args)} failed (exit {process.ExitCode}):\n{stdout}{await stderr}");
        return stdout;
    }
}
