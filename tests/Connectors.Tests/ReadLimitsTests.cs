using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;

namespace SharingHub.Connectors.Tests;

/// <summary>The reader's size limits: a runaway line, field or element costs its row or stops its file, never the worker's memory.</summary>
public sealed class ReadLimitsTests : IDisposable
{
    private const string CsvMapping = """
        { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" },
          "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "surname": "{surname}", "role": "victim" } } ] }
        """;

    private const string JsonMapping = """
        { "format": "json", "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" },
          "records": [ { "kind": "person", "fields": { "localId": "P-{id}", "version": "1", "surname": "{surname}", "role": "victim" } } ] }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private List<SourceRow> Read(string name, string content, string? mapping = null)
    {
        var file = _folder.File(name, content);
        var mapper = mapping is null ? null : new RowMapper(MappingFile.Load(_folder.File($"{Guid.NewGuid():N}.mapping.json", mapping)));
        using var reader = new RecordFileReader(file, mapper);
        return [.. reader.ReadRows()];
    }

    [Fact]
    public void ReadRows_CanonicalLineLongerThanLimit_RowRejectedUnreadNeighboursRead()
    {
        var huge = $$"""{"kind":"person","localId":"P-2","version":1,"surname":"{{new string('a', ReadLimits.MaxLineChars)}}"}""";
        var rows = Read("long.jsonl", $"{Line("P-1")}\n{huge}\r\n{Line("P-3")}\n");

        Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Number));
        Assert.Equal("P-1", Assert.Single(rows[0].Records).LocalId);
        Assert.Empty(rows[1].Records);
        Assert.Equal(new Problem(Problem.RowField, $"is longer than {ReadLimits.MaxLineChars} characters; the line was not read"), rows[1].RowProblem);
        Assert.Equal("P-3", Assert.Single(rows[2].Records).LocalId);
    }

    [Fact]
    public void ReadRows_JsonLinesLineLongerThanLimit_RowRejectedNeighboursRead()
    {
        var huge = $$"""{"id":2,"surname":"{{new string('b', ReadLimits.MaxLineChars + 10)}}"}""";
        var rows = Read("long.jsonl", $"{{\"id\":1,\"surname\":\"Lee\"}}\n{huge}\n{{\"id\":3,\"surname\":\"Kim\"}}", JsonMapping);

        Assert.Equal(3, rows.Count);
        Assert.Contains("longer than", rows[1].RowProblem?.Reason, StringComparison.Ordinal);
        Assert.Equal(["P-1", "P-3"], rows.SelectMany(r => r.Records).Select(r => r.LocalId));
    }

    [Fact]
    public void ReadRows_CsvUnclosedQuote_FileStopsWithReasonAfterEarlierRows()
    {
        var file = _folder.File("broken.csv", $"id,surname\n1,Lee\n2,\"Kim{new string('x', ReadLimits.MaxCsvFieldChars + 1)}\n3,Ruiz\n");
        using var reader = new RecordFileReader(file, new RowMapper(MappingFile.Load(_folder.File("m.mapping.json", CsvMapping))));
        var read = new List<SourceRow>();

        var error = Assert.Throws<MappingException>(() =>
        {
            foreach (var row in reader.ReadRows())
            {
                read.Add(row);
            }
        });

        Assert.Equal("P-1", Assert.Single(Assert.Single(read).Records).LocalId);
        Assert.Contains($"a field longer than {ReadLimits.MaxCsvFieldChars} characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_JsonArrayElementLargerThanLimit_FileStopsWithReasonAfterEarlierElements()
    {
        var file = _folder.File("big.json", $$"""[{"id":1,"surname":"Lee"},{"id":2,"surname":"{{new string('c', 2 * ReadLimits.MaxJsonElementBytes)}}"},{"id":3,"surname":"Kim"}]""");
        using var reader = new RecordFileReader(file, new RowMapper(MappingFile.Load(_folder.File("m.mapping.json", JsonMapping))));
        var read = new List<SourceRow>();

        var error = Assert.Throws<MappingException>(() =>
        {
            foreach (var row in reader.ReadRows())
            {
                read.Add(row);
            }
        });

        Assert.Equal("P-1", Assert.Single(Assert.Single(read).Records).LocalId);
        Assert.Contains($"element 2 of the JSON array is larger than {ReadLimits.MaxJsonElementBytes} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_MixedLineEndings_LinesAsReadLineGivesThem()
    {
        var lines = new BoundedLineReader(new StringReader("a\r\nbb\rccc\n\nlast"), 10);
        var read = new List<string?>();
        while (lines.TryRead(out var line))
        {
            read.Add(line);
        }

        Assert.Equal(["a", "bb", "ccc", "", "last"], read);
    }

    private static string Line(string localId) => $$"""{"kind":"person","localId":"{{localId}}","version":1}""";
}
