namespace SharingHub.TestSupport;

/// <summary>The checkout the tests run from: its root and the hosts' own build outputs, as <c>./hub</c> runs them.</summary>
public static class HubCheckout
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "hub")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException($"no ./hub above {AppContext.BaseDirectory}");
    });

    /// <summary>The folder that holds <c>./hub</c>.</summary>
    public static string Root => RootPath.Value;

    /// <summary>
    /// <c>src/NAME/bin/CONFIGURATION/net10.0/SharingHub.NAME.dll</c>, in the configuration the tests were built in:
    /// the program with its own dependencies, not the copy beside the tests (which share the tests' versions).
    /// </summary>
    public static string Dll(string name)
    {
        // The tests run from tests/PROJECT/bin/CONFIGURATION/TFM/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(Root, "src", name, "bin", configuration, framework.Name, $"SharingHub.{name}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built (./hub build)", path);
    }
}
