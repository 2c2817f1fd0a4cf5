using System.Text;

namespace SharingHub.Connectors.Tests;

/// <summary>A temporary folder for a test's files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("sharinghub-connector-tests-");

    public string Path => _directory.FullName;

    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => _directory.Delete(recursive: true);
}
