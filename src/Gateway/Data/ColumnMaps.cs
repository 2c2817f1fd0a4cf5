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
/// The columns of a set of rows sent as one array parameter per column and read back with <c>unnest</c>, each declared
/// once with its SQL type and the property it takes its value from: the parameters, the column list and the row
/// source of the statement come from the same list. One prepared statement, whatever the number of rows: no staging
/// table to create and drop (a catalog change that every backend must then process), no COPY round trips.
/// </summary>
/// <typeparam name="TRow">The row type.</typeparam>
internal sealed class UnnestMap<TRow>
{
    private readonly List<(string Name, string Select, Func<IReadOnlyList<TRow>, NpgsqlParameter> Parameter)> _columns = [];

    /// <summary>A column whose value is a reference type (or null).</summary>
    public UnnestMap<TRow> Column<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> get) where TValue : class
    {
        _columns.Add((name, $"u.{name}", rows => new NpgsqlParameter<TValue?[]>(name, NpgsqlDbType.Array | type) { TypedValue = [.. rows.Select(get)] }));
        return this;
    }

    /// <summary>A column whose value is a value type (or null).</summary>
    public UnnestMap<TRow> Value<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> get) where TValue : struct
    {
        _columns.Add((name, $"u.{name}", rows => new NpgsqlParameter<TValue?[]>(name, NpgsqlDbType.Array | type) { TypedValue = [.. rows.Select(get)] }));
        return this;
    }

    /// <summary>
    /// A <c>text[]</c> column (or null). PostgreSQL's arrays are rectangular, so the rows' arrays, which differ in
    /// length, travel as one JSON array each and are turned back into <c>text[]</c> in the statement.
    /// </summary>
    public UnnestMap<TRow> TextArray(string name, Func<TRow, IReadOnlyList<string>?> get)
    {
        _columns.Add((name, $"CASE WHEN u.{name} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(u.{name})) END",
            rows => new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
            {
                TypedValue = [.. rows.Select(row => get(row) is { } values ? System.Text.Json.JsonSerializer.Serialize(values) : null)],
            }));
        return this;
    }

    /// <summary>
    /// The rows as a subquery named <paramref name="alias"/>, one column per declared column under its name:
    /// <c>(SELECT … FROM unnest(@a, @b, …) AS u(a, b, …)) alias</c>.
    /// </summary>
    public string From(string alias) =>
        $"(SELECT {string.Join(", ", _columns.Select(c => $"{c.Select} AS {c.Name}"))} " +
        $"FROM unnest({string.Join(", ", _columns.Select(c => "@" + c.Name))}) AS u({string.Join(", ", _columns.Select(c => c.Name))})) {alias}";

    /// <summary>The array parameters that carry <paramref name="rows"/>, one per column.</summary>
    public IEnumerable<NpgsqlParameter> Parameters(IReadOnlyList<TRow> rows) => _columns.Select(c => c.Parameter(rows));
}
