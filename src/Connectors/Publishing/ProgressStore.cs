using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SharingHub.Connectors.Publishing;

/// <summary>
/// Remembers, per agency and source, how far publishing is confirmed: the number of source rows every one
/// of whose records the broker has confirmed (a contiguous prefix). A restart resumes after it, so it re-sends
/// at most the batches that were in flight. Writes are atomic (temporary file, then rename).
/// </summary>
internal sealed class ProgressStore(string directory)
{
    public string Directory { get; } = directory;

    public SourceProgress? Load(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<SourceProgress>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string key, SourceProgress progress)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(key);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(progress));
        File.Move(temporary, path, overwrite: true);
    }

    public void Delete(string key)
    {
        var path = PathOf(key);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private string PathOf(string key) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".json");

    /// <summary>A fingerprint of a file's content, so progress is only resumed on the very same file.</summary>
    public static string Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>What a <see cref="ProgressStore"/> keeps for one source.</summary>
/// <param name="Source">The source (a file path or a SQL source name), for people reading the state folder.</param>
/// <param name="Fingerprint">The content fingerprint of a file; the high-water mark's type for SQL.</param>
/// <param name="ConfirmedRows">Rows of the source whose records are all confirmed by the broker.</param>
/// <param name="HighWaterMark">For SQL sources: the last confirmed value of the high-water-mark column.</param>
internal sealed record SourceProgress(string Source, string Fingerprint, long ConfirmedRows, string? HighWaterMark = null);
