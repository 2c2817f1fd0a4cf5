using System.Globalization;

namespace SharingHub.Bench.Ingest;

/// <summary>
/// CPU time of the hub's processes, each with its children (PostgreSQL's backends, the broker's helpers), read from
/// Linux's <c>/proc</c>: a process's own user and system time, plus what its children that have exited and been
/// waited for used (so PostgreSQL's finished backends count too). Rates move with whatever else the machine runs;
/// CPU time per record moves much less, so it is the steadier figure to compare a change by.
/// </summary>
/// <param name="Roots">Each measured process by name: its process id (the root of a tree).</param>
internal sealed record ProcessCpu(IReadOnlyList<(string Name, int Pid)> Roots)
{
    /// <summary>
    /// <c>Name=pid,Name=pid</c> (what <c>./hub bench ingest</c> passes as <c>--processes</c>); null when not given or
    /// when <c>/proc</c> is not there (not Linux).
    /// </summary>
    public static ProcessCpu? Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec) || !Directory.Exists("/proc"))
        {
            return null;
        }
        var roots = new List<(string, int)>();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || !int.TryParse(part.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            {
                throw new ArgumentException($"--processes: '{part}' is not NAME=PID");
            }
            roots.Add((part[..at], pid));
        }
        return new ProcessCpu(roots);
    }

    /// <summary>Seconds of CPU each root's tree has used so far, by name (a root that has gone counts 0).</summary>
    public Dictionary<string, double> Sample()
    {
        var stats = new Dictionary<int, (int Parent, double Seconds)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(dir) is { } stat)
            {
                stats[pid] = stat;
            }
        }
        var children = stats.ToLookup(s => s.Value.Parent, s => s.Key);
        double Tree(int pid) =>
            (stats.TryGetValue(pid, out var own) ? own.Seconds : 0) + children[pid].Where(child => child != pid).Sum(Tree);
        return Roots.ToDictionary(root => root.Name, root => Tree(root.Pid), StringComparer.Ordinal);
    }

    /// <summary>The line that prints <paramref name="before"/> to <paramref name="after"/> in milliseconds a record.</summary>
    public static string PerRecord(Dictionary<string, double> before, Dictionary<string, double> after, int records) =>
        string.Join(", ", after.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"{a.Key} {(a.Value - before.GetValueOrDefault(a.Key)) * 1000 / records:0.00} ms")));

    // Parent and CPU seconds (user + system, own and waited-for children) of one /proc/PID/stat; null when it is gone.
    private static (int Parent, double Seconds)? Read(string dir)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(dir, "stat"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return ParseStat(text);
    }

    /// <summary>
    /// One <c>/proc/PID/stat</c> line: the fields after the command (which may hold spaces and parentheses) are split
    /// from the last ')'; the parent is field 4, utime, stime, cutime and cstime fields 14-17, in clock ticks.
    /// </summary>
    internal static (int Parent, double Seconds)? ParseStat(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15)
        {
            return null;
        }
        var ticks = 0L;
        for (var i = 11; i <= 14; i++)
        {
            ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
        }
        return (int.Parse(fields[1], CultureInfo.InvariantCulture), ticks / (double)TicksPerSecond);
    }

    // USER_HZ: 100 on every Linux architecture .NET runs on (the kernel fixes it for /proc whatever its own tick rate).
    private const int TicksPerSecond = 100;
}
