namespace SharingHub.Connectors.Alerts;

/// <summary>
/// The ids of the alerts already handed to the sink, one per line in a small state file, so that a message the broker
/// delivers again (after a lost acknowledgement, or the hub's relay publishing again after a crash) is dropped. Each id is
/// written and flushed before the message is acknowledged. Only the newest <see cref="Keep"/> ids are kept: the file is
/// rewritten (temporary file, then rename) when it holds twice that many. Redeliveries come within minutes, so this
/// many ids cover far more than any redelivery window.
/// </summary>
internal sealed class SeenAlerts : IDisposable
{
    /// <summary>How many of the newest ids are kept.</summary>
    public const int Keep = 10_000;

    private readonly string _path;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private FileStream _file;

    private SeenAlerts(string path, FileStream file)
    {
        _path = path;
        _file = file;
    }

    /// <summary>The state file of <paramref name="agency"/>'s drain in <paramref name="stateDirectory"/>.</summary>
    public static SeenAlerts Open(string stateDirectory, string agency)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, $"alerts-{agency}.seen");
        var store = new SeenAlerts(path, null!);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var id = line.Trim();
                if (id.Length > 0)
                {
                    store.Remember(id);
                }
            }
        }
        store._file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return store;
    }

    /// <summary>How many ids are kept now.</summary>
    public int Count => _ids.Count;

    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Records <paramref name="id"/> durably (flushed to disk), then prunes when the file is twice <see cref="Keep"/>.</summary>
    public void Add(string id)
    {
        if (!Remember(id))
        {
            return;
        }
        var line = System.Text.Encoding.UTF8.GetBytes(id + "\n");
        _file.Write(line);
        _file.Flush(flushToDisk: true);
        if (_order.Count > 2 * Keep)
        {
            Prune();
        }
    }

    private bool Remember(string id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }
        _order.Enqueue(id);
        return true;
    }

    private void Prune()
    {
        while (_order.Count > Keep)
        {
            _ids.Remove(_order.Dequeue());
        }
        var temporary = _path + ".tmp";
        File.WriteAllLines(temporary, _order);
        _file.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public void Dispose() => _file.Dispose();
}
