using System.Text.RegularExpressions;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Tests.Audit;

/// <summary>
/// How an operation's reads become audit rows (pure): one row names every read, with who, why and the trace, and a
/// list too long for the detail column goes on over more rows, never cut short.
/// </summary>
public sealed partial class ReadAuditRowsTests
{
    private static readonly HubPrincipal Reader = new("subject-1", "TX0010100",
        new HashSet<string>(StringComparer.Ordinal) { "officer", "analyst" }, true, false, null, null);

    private static readonly Agency Other = new() { Code = "TX0020200", Name = "County" };

    [Fact]
    public void Rows_AFewReads_OneRowNamingEachReadWithWhoWhyAndTrace()
    {
        var rows = ReadAudit.Rows(Reader, "graphql query Inbox", "trace-1", [Read(11, 21, Release.Full), Read(12, 22, Release.ContactOnly)]);

        var row = Assert.Single(rows);
        Assert.Equal("subject-1", row.Actor);
        Assert.Equal("2 counterpart reads", row.Target);
        Assert.Equal("agency TX0010100 (analyst,officer); graphql query Inbox; trace trace-1; read:"
            + " match 11 record 21 (TX0020200, release Full); match 12 record 22 (TX0020200, release ContactOnly);", row.Detail);
    }

    [Fact]
    public void Rows_MoreReadsThanOneDetailHolds_SplitOverRowsEachWithinTheColumnAndEveryReadOnce()
    {
        var reads = Enumerable.Range(1, 500).Select(i => Read(1_000_000 + i, 2_000_000 + i, Release.Full)).ToList();

        var rows = ReadAudit.Rows(Reader, "graphql query Inbox", "trace-1", reads);

        Assert.True(rows.Count > 1);
        Assert.All(rows, row =>
        {
            Assert.InRange(row.Detail.Length, 1, ReadAudit.MaxDetailLength);
            Assert.StartsWith("agency TX0010100 (analyst,officer); graphql query Inbox; trace trace-1; read:", row.Detail, StringComparison.Ordinal);
            Assert.Equal($"{MatchIds().Count(row.Detail)} counterpart reads", row.Target);
        });
        Assert.Equal(reads.Select(r => r.MatchId), rows.SelectMany(r => MatchIds().Matches(r.Detail)).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Rows_OneRead_OneRowSaysOneRead()
    {
        var row = Assert.Single(ReadAudit.Rows(Reader, "graphql subscription Feed", "none", [Read(5, 6, Release.Full)]));

        Assert.Equal("1 counterpart read", row.Target);
    }

    private static CounterpartView Read(long match, long record, Release release) =>
        new(match, record, release, null, null, Other, null, [], [], null, null);

    [GeneratedRegex(@" match (\d+) record \d+ \(")]
    private static partial Regex MatchIds();
}
