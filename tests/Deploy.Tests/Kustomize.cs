using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace SharingHub.Deploy.Tests;

/// <summary>
/// Renders the kustomizations of <c>deploy/k8s</c> with <c>kubectl kustomize</c>, once per test run. Without kubectl
/// the checks cannot run, and they say so by failing: a manifest check that passes because nothing was checked would
/// hide exactly the drift it exists to catch.
/// </summary>
internal static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<KubeObject>>> Rendered = new(StringComparer.Ordinal);

    /// <summary>The repository's root (the folder of SharingHub.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// Every kustomization that is deployed as a whole: the hub's base and each of its overlays, and the connector's
    /// base and each agency overlay beside it. A new overlay is checked without being listed here.
    /// </summary>
    public static IReadOnlyList<string> Deployables()
    {
        var k8s = Path.Combine(RepositoryRoot, "deploy", "k8s");
        var found = new List<string> { "base" };
        found.AddRange(Subfolders(Path.Combine(k8s, "overlays")).Select(d => $"overlays/{d}"));
        found.AddRange(Subfolders(Path.Combine(k8s, "connector")).Select(d => $"connector/{d}"));
        return found;

        static IEnumerable<string> Subfolders(string folder) =>
            Directory.EnumerateDirectories(folder)
                .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal);
    }

    /// <summary>The objects <c>kubectl kustomize deploy/k8s/<paramref name="kustomization"/></c> renders.</summary>
    public static IReadOnlyList<KubeObject> Render(string kustomization) =>
        Rendered.GetOrAdd(kustomization, k => new Lazy<IReadOnlyList<KubeObject>>(() => KubeObject.Parse(Run(k)))).Value;

    private static string Run(string kustomization)
    {
        var folder = Path.Combine(RepositoryRoot, "deploy", "k8s", kustomization);
        var start = new ProcessStartInfo("kubectl")
        {
            ArgumentList = { "kustomize", folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"kubectl is not installed (or not on PATH: {ex.Message}), so deploy/k8s cannot be rendered and its "
                + "manifests were NOT checked. Install kubectl (./hub infra installs it where its apt source is configured; "
                + "see deploy/k8s/README.md) and run the tests again.");
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"kubectl kustomize deploy/k8s/{kustomization} did not finish within 2 minutes");
            }
            Assert.True(process.ExitCode == 0,
                $"kubectl kustomize deploy/k8s/{kustomization} failed (exit {process.ExitCode}): {error.Result.Trim()}");
            return output.Result;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SharingHub.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"SharingHub.sln not found above {AppContext.BaseDirectory}");
    }
}
