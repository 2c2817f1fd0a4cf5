using Npgsql;
using NpgsqlTypes;

namespace SharingHub.Gateway.Data;

/// <summary>
/// The columns a hand-written SELECT reads, each declared once with the property it fills: the select list and the
/// reading come from the same list, so a column is added in one line, and a wrong type fails to compile (or, for a
/// database type that does not fit the property, on the first read) instead of shifting every position after it.
/// </summary>
/// <typeparam name="TRow">The row type, filled property by property.</typeparam>
internal sealed class ReadMap<TRow> where TRow : new()
{
    private readonly List<(string Sql, Action<TRow, NpgsqlDataReader, int> Read)> _columns = [];

    /// <summary>The number of columns, so that a query may select more after them.</summary>
    public int Count => _columns.Count;

    /// <summary>The select list, in order.</summary>
    public string SelectList => string.Join(", ", _columns.Select(c => c.Sql));

    /// <summary>A column read as <typeparamref name="TValue"/>; SQL NULL sets the property to its default.</summary>
    /// <param name="sql">The select expression (a column or an expression over the query's aliases).</param>
    /// <param name="set">Sets the row's property.</param>
    public ReadMap<TRow> Column<TValue>(string sql, Action<TRow, TValue?> set)
    {
        _columns.Add((sql, (row, reader, ordinal) => set(row, reader.IsDBNull(ordinal) ? default : reader.GetFieldValue<TValue>(ordinal))));
        return this;
    }

    /// <summary>Reads the current row, from column <paramref name="offset"/> on.</summary>
    public TRow Read(NpgsqlDataReader reader, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var row = new TRow();
        for (var i = 0; i < _columns.Count; i++)
        {
            _columns[i].Read(row, reader, offset + i);
        }
        return row;
    }
}

/// <summary>
/// The columns of a binary COPY, each declared once with its SQL type and the property it takes its value from: the
/// staging table's definition, the COPY column list and the writing of each row come from the same list.
/// </summary>
/// <typeparam name="TRow">The row type.</typeparam>
internal sealed class CopyMap<TRow>
{
    private readonly List<(string Name, string SqlType, Func<NpgsqlBinaryImporter, TRow, CancellationToken, Task> Write)> _columns = [];

    /// <summary>A column whose value is a reference type (or null).</summary>
    public CopyMap<TRow> Column<TValue>(string name, string sqlType, NpgsqlDbType type, Func<TRow, TValue?> get) where TValue : class
    {
        _columns.Add((name, sqlType, (importer, row, ct) => get(row) is { } value ? importer.WriteAsync(value, type, ct) : importer.WriteNullAsync(ct)));
        return this;
    }

    /// <summary>A column whose value is a value type (or null).</summary>
    public CopyMap<TRow> Value<TValue>(string name, string sqlType, NpgsqlDbType type, Func<TRow, TValue?> get) where TValue : struct
    {
        _columns.Add((name, sqlType, (importer, row, ct) => get(row) is { } value ? importer.WriteAsync(value, type, ct) : importer.WriteNullAsync(ct)));
        return this;
    }

    /// <summary><c>CREATE TEMP TABLE <paramref name="table"/> (…) ON COMMIT DROP</c> with every column.</summary>
    public string CreateTempTable(string table) =>
        $"CREATE TEMP TABLE {table} ({string.Join(", ", _columns.Select(c => $"{c.Name} {c.SqlType}"))}) ON COMMIT DROP";

    /// <summary><c>COPY <paramref name="table"/> (…) FROM STDIN (FORMAT BINARY)</c> with every column.</summary>
    public string CopyFrom(string table) =>
        $"COPY {table} ({string.Join(", ", _columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";

    /// <summary>Writes one row.</summary>
    public async Task WriteRowAsync(NpgsqlBinaryImporter importer, TRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(importer);
        await importer.StartRowAsync(cancellationToken);
        foreach (var column in _columns)
        {
            await column.Write(importer, row, cancellationToken);
        }
    }
}
