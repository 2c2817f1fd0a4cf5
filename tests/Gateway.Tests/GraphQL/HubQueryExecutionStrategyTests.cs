using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Tests.GraphQL;

/// <summary>
/// The plain path of <see cref="HubQueryExecutionStrategy"/> answers exactly what GraphQL.NET's serial strategy answers,
/// data and errors alike, or leaves the field to it: the same query on the same schema, serialized, compared (pure, no
/// server).
/// </summary>
public sealed class HubQueryExecutionStrategyTests
{
    [Theory]
    // Plain objects and lists, aliases, a nullable plain object that is null, scalars of several kinds.
    [InlineData("{ items { name count lines { field weight } best { field } other: best { weight } } }")]
    // A null in a non-null field inside a plain list: the error and its null propagation.
    [InlineData("{ broken { name lines { field weight } } }")]
    // A reader that throws: the error, its path and location.
    [InlineData("{ items { name boom } }")]
    // A selection that is not all plain (a field with its own resolver) inside a list.
    [InlineData("{ items { name lines { field shout } } }")]
    // Fragments and directives.
    [InlineData("query { items { ...f lines @include(if: false) { field } } } fragment f on Item { name best @skip(if: true) { field } }")]
    public async Task ExecuteAsync_SameQuery_AnswersAsTheSerialStrategy(string query)
    {
        var expected = await RunAsync(new SerialExecutionStrategy(), query);
        var actual = await RunAsync(new HubQueryExecutionStrategy(), query);

        Assert.Equal(expected, actual);
        Assert.Contains("\"data\"", actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ItemsOfPlainFieldsOnly_EachItemIsOneNode()
    {
        var result = await ExecuteAsync(new HubQueryExecutionStrategy(), "{ items { name lines { field weight } } }");

        var items = (ArrayExecutionNode)((ObjectExecutionNode)result.Data!).SubFields![0];
        Assert.Equal(2, items.Items!.Count);
        Assert.All(items.Items, item => Assert.IsType<PlainExecutionNode>(item));
    }

    [Fact]
    public async Task ExecuteAsync_ItemWithANonPlainField_ItsPlainListIsOneNode()
    {
        var result = await ExecuteAsync(new HubQueryExecutionStrategy(), "{ items { name lines { field weight } shout: best { shout } } }");

        var items = (ArrayExecutionNode)((ObjectExecutionNode)result.Data!).SubFields![0];
        var fields = ((ObjectExecutionNode)items.Items![0]).SubFields!;
        Assert.IsType<PlainExecutionNode>(fields[1]);
        Assert.IsNotType<PlainExecutionNode>(fields[2]);
    }

    private static async Task<string> RunAsync(IExecutionStrategy strategy, string query) =>
        new GraphQLSerializer().Serialize(await ExecuteAsync(strategy, query));

    private static Task<ExecutionResult> ExecuteAsync(IExecutionStrategy strategy, string query)
    {
        var executer = new DocumentExecuter(new GraphQLDocumentBuilder(), new DocumentValidator(),
            new DefaultExecutionStrategySelector([new ExecutionStrategyRegistration(strategy, OperationType.Query)]), []);
        return executer.ExecuteAsync(new ExecutionOptions
        {
            Schema = new Schema { Query = new TestQuery() },
            Query = query,
            CancellationToken = TestContext.Current.CancellationToken,
        });
    }

    internal sealed record Line(string? Field, double? Weight);

    internal sealed record Item(string Name, int Count, List<Line> Lines, Line? Best);

    internal sealed class LineType : ObjectGraphType<Line>
    {
        public LineType()
        {
            Name = "Line";
            Field<NonNullGraphType<StringGraphType>>("field").Reads(l => l.Field);
            Field<FloatGraphType>("weight").Reads(l => l.Weight);
            Field<StringGraphType>("shout").Resolve(c => c.Source.Field?.ToUpperInvariant());
        }
    }

    internal sealed class ItemType : ObjectGraphType<Item>
    {
        public ItemType()
        {
            Name = "Item";
            Field<NonNullGraphType<StringGraphType>>("name").Reads(i => i.Name);
            Field<NonNullGraphType<IntGraphType>>("count").Reads(i => i.Count);
            Field<NonNullGraphType<ListGraphType<NonNullGraphType<LineType>>>>("lines").Reads(i => i.Lines);
            Field<LineType>("best").Reads(i => i.Best);
            Field<StringGraphType>("boom").Reads(_ => throw new InvalidOperationException("a reader failed"));
        }
    }

    internal sealed class TestQuery : ObjectGraphType
    {
        public TestQuery()
        {
            Name = "Query";
            Field<ListGraphType<ItemType>>("items").Resolve(_ => new List<Item>
            {
                new("a", 1, [new("Surname", 7.9), new("Phone", null)], new("Surname", 7.9)),
                new("b", 2, [], null),
            });
            Field<ListGraphType<ItemType>>("broken").Resolve(_ => new List<Item>
            {
                new("c", 3, [new("Surname", 1.0), new(null, 2.0)], null),
                new("d", 4, [new("Sex", 0.0)], null),
            });
        }
    }
}
