using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Sources;

/// <summary>
/// One row of a source with the records it yields. <see cref="Index"/> counts rows from 1 in reading order
/// (what progress and resumption count); <see cref="Number"/> is what a person looks up: the line of a CSV
/// or JSON-lines file, the element of a JSON array.
/// </summary>
internal sealed record SourceRow(long Index, long Number, IReadOnlyList<SourceRecord> Records, Problem? RowProblem = null);
