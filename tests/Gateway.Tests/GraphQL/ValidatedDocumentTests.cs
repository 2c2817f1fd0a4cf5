using GraphQLParser;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Tests.GraphQL;

/// <summary>
/// A kept document remembers an operation's passing depth-and-complexity verdict only when no variable of it can
/// change the estimate: non-list strings only (a cursor). Page sizes, ids, <c>@skip</c> flags and lists are costed on
/// every request (pure: parsed documents, no server).
/// </summary>
public sealed class ValidatedDocumentTests
{
    [Theory]
    [InlineData("query Inbox($after: String) { matches(first: 50, after: $after) { nodes { id } } }", "Inbox", true)]
    [InlineData("query Inbox($after: String!) { matches(after: $after) { nodes { id } } }", "Inbox", true)]
    [InlineData("{ matches(first: 5) { nodes { id } } }", null, true)]
    [InlineData("query ($after: String) { matches(after: $after) { nodes { id } } }", null, true)]
    [InlineData("query Page($n: Int!) { matches(first: $n) { nodes { id } } }", "Page", false)]
    [InlineData("query Page($n: Int, $after: String) { matches(first: $n, after: $after) { nodes { id } } }", "Page", false)]
    [InlineData("query One($id: ID!) { match(id: $id) { id } }", "One", false)]
    [InlineData("query Flag($b: Boolean!) { matches { nodes { id explanation @skip(if: $b) { text } } } }", "Flag", false)]
    [InlineData("query Many($ids: [String!]) { matches { nodes { id } } }", "Many", false)]
    public void RecordLimitsPassed_KeptOnlyWhenTheVariablesCannotChangeTheCost(string query, string? operationName, bool kept)
    {
        var document = new ValidatedDocument(Parser.Parse(query));

        document.RecordLimitsPassed(operationName);

        Assert.Equal(kept, document.LimitsPassed(operationName));
    }

    [Fact]
    public void RecordLimitsPassed_PerOperation_AnotherOperationOfTheSameTextIsStillCosted()
    {
        var document = new ValidatedDocument(Parser.Parse("""
            query Cursor($after: String) { matches(after: $after) { nodes { id } } }
            query Sized($n: Int!) { matches(first: $n) { nodes { id } } }
            """));

        document.RecordLimitsPassed("Cursor");
        document.RecordLimitsPassed("Sized");

        Assert.True(document.LimitsPassed("Cursor"));
        Assert.False(document.LimitsPassed("Sized"));
        // Without a name, a text of two operations names none of them: nothing is kept for it.
        document.RecordLimitsPassed(null);
        Assert.False(document.LimitsPassed(null));
    }
}
