using System.Text.RegularExpressions;

namespace SharingHub.MatchingLab;

/// <summary>One row of a file with FEBRL's columns.</summary>
internal sealed record FebrlRow(
    string RecId,
    string GivenName,
    string Surname,
    string StreetNumber,
    string Address1,
    string Address2,
    string Suburb,
    string Postcode,
    string State,
    string DateOfBirth,
    string SocSecId)
{
    /// <summary>The person record an agency would publish.</summary>
    public SharingHub.Matching.PersonInput ToPerson() => new(
        GivenName,
        Surname,
        BirthDate: DateOfBirth,
        Identifiers: SocSecId.Length > 0 ? [new SharingHub.Matching.IdentifierInput("ssn", SocSecId)] : null);

    /// <summary>The subject's place, written on one line as a connector would map it.</summary>
    public SharingHub.Matching.PlaceInput? ToPlace()
    {
        var street = string.Join(' ', new[] { StreetNumber, Address1 }.Where(part => part.Length > 0));
        var tail = string.Join(' ', new[] { Postcode, State }.Where(part => part.Length > 0));
        var segments = new[] { street, Address2, Suburb, tail }.Where(part => part.Length > 0).ToArray();
        return segments.Length == 0 ? null : new SharingHub.Matching.PlaceInput(string.Join(", ", segments));
    }
}

/// <summary>Reads FEBRL-column CSV files: comma + space separated, leading whitespace trimmed, header row first.</summary>
internal static partial class FebrlFile
{
    private static readonly string[] Columns =
        ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"];

    public static IReadOnlyList<FebrlRow> Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty file")).Split(',').Select(column => column.Trim()).ToArray();
        var index = Columns.Select(column => Array.IndexOf(header, column)).ToArray();
        if (index.Any(i => i < 0))
        {
            throw new InvalidDataException($"{path}: expected columns {string.Join(", ", Columns)}");
        }

        var rows = new List<FebrlRow>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',').Select(cell => cell.TrimStart().TrimEnd()).ToArray();
            if (cells.Length != header.Length)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {cells.Length} cells, expected {header.Length}");
            }

            string Cell(int column) => cells[index[column]];
            rows.Add(new FebrlRow(Cell(0), Cell(1), Cell(2), Cell(3), Cell(4), Cell(5), Cell(6), Cell(7), Cell(8), Cell(9), Cell(10)));
        }

        return rows;
    }

    /// <summary>The entity number of a FEBRL rec_id (rec-123-dup-2 → 123); used only to evaluate, never to match.</summary>
    public static string TruthKey(string recId)
    {
        var match = TruthPattern().Match(recId);
        return match.Success ? match.Groups[1].Value : recId;
    }

    [GeneratedRegex(@"rec-(\d+)")]
    private static partial Regex TruthPattern();
}
