using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;

namespace SharingHub.Connectors.Tests;

/// <summary>Reading files: canonical JSON lines, and CSV, JSON arrays and JSON lines through a mapping.</summary>
public sealed class RecordFileReaderTests : IDisposable
{
    private const string PersonMapping = """
        { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" },
          "records": [
            { "kind": "person", "fields": { "localId": "P-{id}", "version": "{version}", "surname": "{name.family}", "givenName": "{name.given}", "role": "victim" } },
            { "kind": "phone", "when": "{phones.0}", "fields": { "localId": "P-{id}-T0", "version": "{version}", "subjectRef": "P-{id}", "number": "{phones.0}" } },
            { "kind": "phone", "when": "{phones.1}", "fields": { "localId": "P-{id}-T1", "version": "{version}", "subjectRef": "P-{id}", "number": "{phones.1}" } }
          ] }
        """;

    private const string CsvMapping = """
        { "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Ana Ruiz", "controlOfficial.channel": "+1 713 555 0101" },
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
    public void ReadRows_CanonicalLinesWithBlankLines_RowNumbersAreLineNumbers()
    {
        var rows = Read("records.jsonl", """
            {"kind":"person","localId":"P-1","version":1}

            {"kind":"person","localId":"P-2","version":1,"surnme":"x"}
            {"kind":"person","localId":"P-3","version":1}
            """);

        Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Index));
        Assert.Equal([1L, 3L, 4L], rows.Select(r => r.Number));
        Assert.Equal("P-1", Assert.Single(rows[0].Records).LocalId);
        Assert.Empty(rows[1].Records);
        Assert.Equal(new Problem("surnme", "is not a field of the canonical format"), rows[1].RowProblem);
        Assert.Equal("P-3", Assert.Single(rows[2].Records).LocalId);
    }

    [Fact]
    public void ReadRows_CanonicalWithByteOrderMark_Read()
    {
        var rows = Read("bom.jsonl", "\uFEFF{\"kind\":\"person\",\"localId\":\"P-1\",\"version\":1}\n");

        Assert.Null(Assert.Single(rows).RowProblem);
    }

    [Fact]
    public void ReadRows_CsvThroughMapping_OneRowPerLineNumberedLikeASpreadsheet()
    {
        var rows = Read("export.csv", "id,surname,notes\n1,García López,\"long, quoted\nnarrative\"\n2,Pérez,\n", CsvMapping);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["P-1", "P-2"], rows.Select(r => r.Records.Single().LocalId));
        Assert.Equal("García López", rows[0].Records[0].Surname);
        Assert.Equal(2, rows[0].Number);
    }

    [Fact]
    public void ReadRows_CsvWithSemicolonDelimiter_ReadWithTheMappingsDelimiter()
    {
        var mapping = CsvMapping.Replace("\"labels\"", "\"delimiter\": \";\", \"labels\"", StringComparison.Ordinal);

        var rows = Read("export.csv", "id;surname\n1;García, López\n", mapping);

        Assert.Equal("García, López", Assert.Single(rows).Records[0].Surname);
    }

    [Fact]
    public void ReadRows_TsvExtension_TabDelimited()
    {
        var rows = Read("export.tsv", "id\tsurname\n7\tPérez\n", CsvMapping);

        Assert.Equal("P-7", Assert.Single(rows).Records[0].LocalId);
    }

    [Fact]
    public void ReadRows_CsvRowWithTooManyFields_RowProblemAndTheRestRead()
    {
        var rows = Read("export.csv", "id,surname\n1,García\n2,Pérez,extra\n3,López\n", CsvMapping);

        Assert.Equal(3, rows.Count);
        Assert.Null(rows[0].RowProblem);
        Assert.Equal(Problem.RowField, rows[1].RowProblem!.Field);
        Assert.Empty(rows[1].Records);
        Assert.Equal(3, rows[1].Number);
        Assert.Equal("P-3", rows[2].Records.Single().LocalId);
    }

    [Fact]
    public void ReadRows_CsvHeaderWithoutAMappedColumn_MappingExceptionNamingIt()
    {
        var error = Assert.Throws<MappingException>(() => Read("export.csv", "id,family_name\n1,García\n", CsvMapping));

        Assert.Contains("'surname'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_EmptyCsv_NoRows()
    {
        Assert.Empty(Read("export.csv", "", CsvMapping));
    }

    [Fact]
    public void ReadRows_JsonArrayWithNestedFieldsAndArrays_FlattenedToDottedColumns()
    {
        var rows = Read("export.json", """
            [
              {"id": 1, "version": 2, "name": {"given": "Ana", "family": "Ruiz"}, "phones": ["(713) 555-0101", "+52 55 4512 7781"]},
              {"id": 2, "version": 1, "name": {"family": "Lee"}, "phones": []}
            ]
            """, PersonMapping);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["P-1", "P-1-T0", "P-1-T1"], rows[0].Records.Select(r => r.LocalId));
        Assert.Equal("Ruiz", rows[0].Records[0].Surname);
        Assert.Equal("Ana", rows[0].Records[0].GivenName);
        Assert.Equal("2", rows[0].Records[0].Version);
        Assert.Equal("+52 55 4512 7781", rows[0].Records[2].Number);
        Assert.Equal("P-2", Assert.Single(rows[1].Records).LocalId);
        Assert.Equal([1L, 2L], rows.Select(r => r.Number));
    }

    [Fact]
    public void ReadRows_JsonArrayElementNotAnObject_RowProblemAndTheRestRead()
    {
        var rows = Read("export.json", """[{"id": 1, "version": 1, "name": {"family": "Lee"}}, 42, {"id": 3, "version": 1, "name": {"family": "Kim"}}]""", PersonMapping);

        Assert.Equal(3, rows.Count);
        Assert.Equal(new Problem(Problem.RowField, "is not a JSON object"), rows[1].RowProblem);
        Assert.Equal("P-3", rows[2].Records.Single().LocalId);
    }

    [Fact]
    public void ReadRows_JsonArrayBrokenHalfway_MappingExceptionAfterTheGoodRows()
    {
        var file = _folder.File("export.json", """
            [{"id": 1, "version": 1, "name": {"family": "Lee"}},
             {"id": 2, "version": 1, "name": {"family": "Kim"}
            """);
        var mapper = new RowMapper(MappingFile.Load(_folder.File("m.json", PersonMapping)));
        using var reader = new RecordFileReader(file, mapper);
        var read = new List<SourceRow>();

        var error = Assert.Throws<MappingException>(() =>
        {
            foreach (var row in reader.ReadRows())
            {
                read.Add(row);
            }
        });

        Assert.Equal("P-1", Assert.Single(read).Records[0].LocalId);
        Assert.Contains("export.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid JSON array", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Kim", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_JsonLinesThroughMapping_BadLineIsARowProblem()
    {
        var rows = Read("export.jsonl", """
            {"id": 1, "version": 1, "name": {"family": "Lee"}}
            {"id": 2, "version": 1, "name": {"family":
            {"id": 3, "version": 1, "name": {"family": "Kim"}, "phones": ["713 555 0101"]}
            """, PersonMapping);

        Assert.Equal(3, rows.Count);
        Assert.Equal(new Problem(Problem.RowField, "is not valid JSON"), rows[1].RowProblem);
        Assert.Equal(["P-3", "P-3-T0"], rows[2].Records.Select(r => r.LocalId));
        Assert.Equal(3, rows[2].Number);
    }

    [Fact]
    public void ReadRows_JsonExtensionHoldingJsonLines_DetectedFromTheFirstCharacter()
    {
        var rows = Read("export.json", "\n  {\"id\": 1, \"version\": 1, \"name\": {\"family\": \"Lee\"}}\n", PersonMapping);

        Assert.Equal("P-1", Assert.Single(rows).Records[0].LocalId);
    }

    [Fact]
    public void ReadRows_UnknownExtensionWithoutFormat_MappingException()
    {
        var error = Assert.Throws<MappingException>(() => Read("export.dat", "id,surname\n1,Lee\n", CsvMapping));

        Assert.Contains("set \"format\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_UnknownExtensionWithFormat_ReadAsThatFormat()
    {
        var mapping = CsvMapping.Replace("\"labels\"", "\"format\": \"csv\", \"labels\"", StringComparison.Ordinal);

        Assert.Single(Read("export.dat", "id,surname\n1,Lee\n", mapping));
    }
}
