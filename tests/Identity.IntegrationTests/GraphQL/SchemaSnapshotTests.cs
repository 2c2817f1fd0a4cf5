using System.Text;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// The schema is a public contract: the running Gateway's SDL (printed as <c>--print-schema</c> prints it) must equal
/// the checked-in <c>src/Gateway/GraphQL/schema.graphql</c>, so that any change to it shows as a diff in review.
/// </summary>
[Collection(GraphQLGroup.Name)]
public sealed class SchemaSnapshotTests(GraphQLFixture fixture)
{
    private const string SnapshotPath = "src/Gateway/GraphQL/schema.graphql";

    [Fact]
    public void LiveSchema_Printed_EqualsTheCheckedInSnapshot()
    {
        var live = Lines(fixture.Gateway.Services.GetRequiredService<ISchema>().Print());
        var snapshot = Lines(File.ReadAllText(Path.Combine(HubCheckout.Root, SnapshotPath)));

        Assert.True(live.SequenceEqual(snapshot, StringComparer.Ordinal),
            $"""
            The live GraphQL schema differs from {SnapshotPath} (- snapshot, + live):
            {Diff(snapshot, live)}
            If the change is meant (and safe for clients: removing or renaming a field, type, argument or enum value breaks
            them), update the snapshot and commit it with the change:
              ./hub build && dotnet src/Gateway/bin/Release/net10.0/SharingHub.Gateway.dll --print-schema > {SnapshotPath}
            """);
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    /// <summary>A unified-style line diff (longest common subsequence) with two lines of context around each change.</summary>
    private static string Diff(string[] before, string[] after)
    {
        var lcs = new int[before.Length + 1, after.Length + 1];
        for (var i = before.Length - 1; i >= 0; i--)
        {
            for (var j = after.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = before[i] == after[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<(char Mark, string Text, int Line)>();
        int b = 0, a = 0;
        while (b < before.Length || a < after.Length)
        {
            if (b < before.Length && a < after.Length && before[b] == after[a])
            {
                lines.Add((' ', before[b], b + 1));
                b++;
                a++;
            }
            else if (a < after.Length && (b == before.Length || lcs[b, a + 1] >= lcs[b + 1, a]))
            {
                lines.Add(('+', after[a], b + 1));
                a++;
            }
            else
            {
                lines.Add(('-', before[b], b + 1));
                b++;
            }
        }
        var text = new StringBuilder();
        var shown = -1;
        for (var k = 0; k < lines.Count; k++)
        {
            var near = Enumerable.Range(Math.Max(0, k - 2), Math.Min(lines.Count, k + 3) - Math.Max(0, k - 2)).Any(n => lines[n].Mark != ' ');
            if (!near)
            {
                continue;
            }
            if (shown != k - 1)
            {
                text.Append("@@ line ").Append(lines[k].Line).Append(" of the snapshot\n");
            }
            text.Append(lines[k].Mark).Append(' ').Append(lines[k].Text).Append('\n');
            shown = k;
        }
        return text.ToString();
    }
}
