using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Sources;

/// <summary>
/// Reads a file into <see cref="SourceRow"/>s: the canonical JSON-lines format when there is no mapping,
/// otherwise CSV or JSON (an array of objects, or JSON lines) through the mapping.
/// </summary>
internal sealed class RecordFileReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly RowMapper? _mapper;
    private readonly string _path;

    private static readonly Problem TooLong = new(Problem.RowField, $"is longer than {ReadLimits.MaxLineChars} characters; the line was not read");

    public RecordFileReader(string path, RowMapper? mapper)
    {
        _path = path;
        _mapper = mapper;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    public long Length => _stream.Length;

    /// <summary>How far reading has got, in bytes (for the progress bar).</summary>
    public long Position => _stream.Position;

    public IEnumerable<SourceRow> ReadRows()
    {
        if (_mapper is null)
        {
            return ReadCanonical();
        }
        var format = _mapper.Mapping.Format ?? (Path.GetExtension(_path).ToLowerInvariant() switch
        {
            ".csv" or ".tsv" or ".txt" => "csv",
            ".json" or ".jsonl" or ".ndjson" => "json",
            _ => throw new MappingException($"{_path}: cannot tell the format from the extension; set \"format\" in the mapping"),
        });
        return format == "csv" ? ReadCsv() : ReadJson();
    }

    private IEnumerable<SourceRow> ReadCanonical()
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var lines = new BoundedLineReader(reader, ReadLimits.MaxLineChars);
        long lineNumber = 0, index = 0;
        while (lines.TryRead(out var line))
        {
            lineNumber++;
            if (line is null)
            {
                yield return new SourceRow(++index, lineNumber, [], TooLong);
                continue;
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            index++;
            var (record, problem) = CanonicalLine.Parse(line);
            yield return record is null
                ? new SourceRow(index, lineNumber, [], problem)
                : new SourceRow(index, lineNumber, [record]);
        }
    }

    private IEnumerable<SourceRow> ReadCsv()
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = _mapper!.Mapping.Delimiter ?? (Path.GetExtension(_path).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? "\t" : ","),
            DetectColumnCountChanges = true,
            BadDataFound = null,
            TrimOptions = TrimOptions.Trim,
            MaxFieldSize = ReadLimits.MaxCsvFieldChars,
        };
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
        {
            yield break;
        }
        var header = csv.HeaderRecord;
        var missing = _mapper.Columns.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new MappingException($"{_path}: the mapping reads column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} that the file's header does not have");
        }

        long index = 0;
        while (true)
        {
            bool more;
            Problem? problem = null;
            try
            {
                more = csv.Read();
            }
            catch (MaxFieldSizeException ex)
            {
                // Past a field this long (most often a quote never closed) the parser cannot find the next row.
                throw new MappingException(
                    $"{_path}: row {csv.Parser.Row} has a field longer than {ReadLimits.MaxCsvFieldChars} characters (an unclosed quote?); the rows before it were read", ex);
            }
            catch (CsvHelperException ex) when (ex is BadDataException or CsvHelper.MissingFieldException or ReaderException)
            {
                more = true;
                problem = new Problem(Problem.RowField, "is not a well-formed CSV row");
            }
            if (!more)
            {
                yield break;
            }
            index++;
            var number = csv.Parser.Row;
            if (problem is null && csv.Parser.Count != header.Length)
            {
                problem = new Problem(Problem.RowField, $"has {csv.Parser.Count} fields, the header has {header.Length}");
            }
            if (problem is not null)
            {
                yield return new SourceRow(index, number, [], problem);
                continue;
            }

            var row = new Dictionary<string, string?>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = csv.Parser[i];
            }
            yield return new SourceRow(index, number, _mapper.Map(row));
        }
    }

    private IEnumerable<SourceRow> ReadJson()
    {
        var first = -1;
        while (true)
        {
            first = _stream.ReadByte();
            if (first < 0 || !char.IsWhiteSpace((char)first) && first != 0xEF && first != 0xBB && first != 0xBF)
            {
                break;
            }
        }
        _stream.Position = 0;
        return first == '[' ? ReadJsonArray() : ReadJsonLines();
    }

    private IEnumerable<SourceRow> ReadJsonArray()
    {
        long index = 0;
        var budget = new BudgetStream(_stream, ReadLimits.MaxJsonElementBytes);
        using var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(budget).ToBlockingEnumerable().GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                budget.Reset();
                more = elements.MoveNext();
            }
            catch (ElementTooLargeException ex)
            {
                throw new MappingException(
                    $"{_path}: element {index + 1} of the JSON array is larger than {ReadLimits.MaxJsonElementBytes} bytes; the elements before it were read", ex);
            }
            catch (JsonException ex)
            {
                // An array cannot be read past a syntax error. The message says where, never what (the reader's own
                // message quotes the offending characters).
                throw new MappingException(
                    $"{_path}: is not a valid JSON array after element {index} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}); the elements before it were read", ex);
            }
            if (!more)
            {
                yield break;
            }
            index++;
            yield return MapJson(index, index, elements.Current);
        }
    }

    private IEnumerable<SourceRow> ReadJsonLines()
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var lines = new BoundedLineReader(reader, ReadLimits.MaxLineChars);
        long lineNumber = 0, index = 0;
        while (lines.TryRead(out var line))
        {
            lineNumber++;
            if (line is null)
            {
                yield return new SourceRow(++index, lineNumber, [], TooLong);
                continue;
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            index++;
            var element = TryParse(line);
            yield return element is null
                ? new SourceRow(index, lineNumber, [], new Problem(Problem.RowField, "is not valid JSON"))
                : MapJson(index, lineNumber, element.Value);
        }
    }

    private static JsonElement? TryParse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private SourceRow MapJson(long index, long number, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new SourceRow(index, number, [], new Problem(Problem.RowField, "is not a JSON object"));
        }
        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        Flatten(element, "", row);
        return new SourceRow(index, number, _mapper!.Map(row));
    }

    /// <summary>Nested objects become dotted column names (<c>{address.city}</c>); arrays become <c>name.0</c>, <c>name.1</c>.</summary>
    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> row)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", row);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}.{i++}", row);
                }
                break;
            case JsonValueKind.String:
                row[prefix] = element.GetString();
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                row[prefix] = null;
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                row[prefix] = element.GetRawText();
                break;
            default:
                row[prefix] = null;
                break;
        }
    }

    public void Dispose() => _stream.Dispose();
}
