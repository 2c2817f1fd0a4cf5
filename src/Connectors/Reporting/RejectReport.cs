using System.Globalization;
using System.Text;
using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Reporting;

/// <summary>What became of the record (or row) a report line is about.</summary>
internal enum ReportAction
{
    /// <summary>Not published: the record or row is rejected whole.</summary>
    Rejected,

    /// <summary>Published without this field's value (the mapping's <c>omitInvalid</c>).</summary>
    Omitted,
}

/// <summary>
/// The reject report: a CSV file with one line per problem of a rejected record or row, and per invalid value
/// omitted from a published record (<c>row,kind,localId,field,code,reason,action</c>, action <c>rejected</c> or
/// <c>omitted</c>; <c>code</c> is the record rule's reason code, the one the Gateway's error queue names). It never contains the values. The file is only created when something is rejected or omitted,
/// and a stale report from an earlier run is removed.
/// </summary>
internal sealed class RejectReport : IDisposable
{
    private readonly string _path;
    private StreamWriter? _writer;

    public RejectReport(string path)
    {
        _path = System.IO.Path.GetFullPath(path);
        if (File.Exists(_path))
        {
            File.Delete(_path);
        }
    }

    public string FilePath => _path;

    public int Lines { get; private set; }

    public void Add(long row, string? kind, string? localId, Problem problem, ReportAction action)
    {
        if (_writer is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            _writer = new StreamWriter(_path, append: false, new UTF8Encoding(false));
            _writer.WriteLine("row,kind,localId,field,code,reason,action");
        }
        _writer.Write(row.ToString(CultureInfo.InvariantCulture));
        foreach (var value in new[] { kind, localId, problem.Field, problem.Code, problem.Reason })
        {
            _writer.Write(',');
            _writer.Write(Quote(value));
        }
        _writer.Write(action switch
        {
            ReportAction.Rejected => ",rejected",
            ReportAction.Omitted => ",omitted",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        });
        _writer.WriteLine();
        Lines++;
    }

    private static string Quote(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    public void Dispose() => _writer?.Dispose();
}
