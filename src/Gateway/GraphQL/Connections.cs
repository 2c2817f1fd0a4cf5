using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using GraphQL.Validation.Complexity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SharingHub.Gateway.GraphQL;

/// <summary>One page of a Relay connection, keyed by descending id; the total is counted only when asked for.</summary>
internal sealed class Page<T>(IReadOnlyList<T> items, bool hasNextPage, Func<T, long> idOf, Func<CancellationToken, Task<int>> count)
{
    public IReadOnlyList<T> Items { get; } = items;

    public PageInfo PageInfo { get; } = new()
    {
        HasNextPage = hasNextPage,
        HasPreviousPage = false,
        StartCursor = items.Count > 0 ? Cursor.Encode(idOf(items[0])) : null,
        EndCursor = items.Count > 0 ? Cursor.Encode(idOf(items[^1])) : null,
    };

    public IEnumerable<Edge<T>> Edges => Items.Select(item => new Edge<T> { Cursor = Cursor.Encode(idOf(item)), Node = item });

    public Task<int> CountAsync(CancellationToken cancellationToken) => count(cancellationToken);
}

/// <summary>Opaque cursors: <c>v1:ID</c>, base64url. The id is a row the reader could see when the cursor was made.</summary>
internal static class Cursor
{
    public static string Encode(long id) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{id}")));

    public static long? Decode(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            if (text.StartsWith("v1:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }
        throw HubError.Validation("'after' is not a cursor this API gave out.");
    }
}

/// <summary>Paging arguments (<c>first</c>, <c>after</c>) and the keyset query behind them.</summary>
internal static class Paging
{
    public static FieldBuilder<TSource, TReturn> PagingArguments<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field) => field
        .Argument<IntGraphType>("first", "How many to return (default 20, at most 100).")
        .Argument<StringGraphType>("after", "The endCursor of the previous page.")
        // The complexity analyzer counts what a page selects once per row the page may hold; the connection's
        // nodes and edges then multiply by nothing more.
        .Configure(f => f.WithComplexityImpact(context => new FieldComplexityResult(1, Math.Clamp(context.GetArgument<int?>("first") ?? DefaultPageSize, 1, MaxPageSize))));

    // The defaults of GraphQLOptions: the analyzer runs before options are at hand, and a deployment that raises
    // the page size also raises MaxComplexity.
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    /// <summary>A page of <paramref name="query"/> in descending id order after the <c>after</c> cursor.</summary>
    public static Task<Page<T>> PageAsync<T>(this IResolveFieldContext context, IQueryable<T> query, Expression<Func<T, long>> id)
        where T : class =>
        context.PageAsync((before, count) => KeysetPage(query, id, before, count), IdReaders<T>.For(id), query.CountAsync);

    /// <summary>
    /// A page read by <paramref name="page"/>, which is given the id its rows must be below (null for the first page)
    /// and how many to read, and returns them newest first. <paramref name="count"/> counts them all, for
    /// <c>totalCount</c>. <paramref name="fetch"/>, when given, reads the page's query instead of a plain list (to
    /// load what the page shows with it), and returns its rows in the query's order.
    /// </summary>
    public static async Task<Page<T>> PageAsync<T>(this IResolveFieldContext context, Func<long?, int, IQueryable<T>> page, Func<T, long> idOf,
        Func<CancellationToken, Task<int>> count, Func<IQueryable<T>, CancellationToken, Task<List<T>>>? fetch = null)
        where T : class
    {
        var options = context.RequestServices!.GetRequiredService<IOptions<GraphQLOptions>>().Value;
        var first = context.GetArgument<int?>("first") ?? options.DefaultPageSize;
        if (first < 0 || first > options.MaxPageSize)
        {
            throw HubError.Validation($"'first' must be between 0 and {options.MaxPageSize}.");
        }
        var after = Cursor.Decode(context.GetArgument<string?>("after"));
        var query = page(after, first + 1).AsNoTracking();
        var rows = fetch is null ? await query.ToListAsync(context.CancellationToken) : await fetch(query, context.CancellationToken);
        var hasNext = rows.Count > first;
        if (hasNext)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return new Page<T>(rows, hasNext, idOf, count);
    }

    // The rows of query below id `before` (all when null), ordered by descending id and cut to `count`.
    private static IQueryable<T> KeysetPage<T>(IQueryable<T> query, Expression<Func<T, long>> id, long? before, int count)
    {
        if (before is { } beforeId)
        {
            // The bound is read from a field, not inlined as a constant, so EF Core sends it as a parameter
            // and compiles the query once for every page rather than once per cursor.
            var bound = Expression.Field(Expression.Constant(new Bound(beforeId)), nameof(Bound.Value));
            var below = Expression.Lambda<Func<T, bool>>(Expression.LessThan(id.Body, bound), id.Parameters[0]);
            query = query.Where(below);
        }
        return query.OrderByDescending(id).Take(count);
    }

    /// <summary>A keyset bound that EF Core reads as a query parameter.</summary>
    private sealed class Bound(long value)
    {
        public readonly long Value = value;
    }

    /// <summary>Compiled id readers, one per id member, so a page does not compile a delegate.</summary>
    private static class IdReaders<T>
    {
        private static readonly ConcurrentDictionary<string, Func<T, long>> Readers = new(StringComparer.Ordinal);

        public static Func<T, long> For(Expression<Func<T, long>> id) =>
            Readers.GetOrAdd(id.Body.ToString(), _ => id.Compile());
    }
}

/// <summary>A Relay connection over <typeparamref name="TNodeType"/>: <c>totalCount</c>, <c>pageInfo</c>, <c>edges</c>, <c>nodes</c>.</summary>
internal sealed class HubConnectionType<TNodeType, TSource> : ObjectGraphType<Page<TSource>>
    where TNodeType : IGraphType
{
    public HubConnectionType()
    {
        var nodeName = typeof(TNodeType).GraphQLName();
        Name = $"{nodeName}Connection";
        Description = $"A page of {nodeName} objects; the filter the caller may see is applied before paging and counting.";
        Field<NonNullGraphType<IntGraphType>>("totalCount")
            .Description("How many there are in all (only what the caller may see).")
            .ResolveAsync(async context => await context.Source.CountAsync(context.CancellationToken));
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Reads(s => s.PageInfo);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<HubEdgeType<TNodeType, TSource>>>>>("edges").Reads(s => s.Edges)
            .Configure(f => f.WithComplexityImpact(1, 1));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeType>>>>("nodes").Reads(s => s.Items)
            .Configure(f => f.WithComplexityImpact(1, 1));
    }
}

/// <summary>An edge: the node and its cursor.</summary>
internal sealed class HubEdgeType<TNodeType, TSource> : ObjectGraphType<Edge<TSource>>
    where TNodeType : IGraphType
{
    public HubEdgeType()
    {
        Name = $"{typeof(TNodeType).GraphQLName()}Edge";
        Field<NonNullGraphType<StringGraphType>>("cursor").Reads(s => s.Cursor);
        Field<NonNullGraphType<TNodeType>>("node").Reads(s => s.Node);
    }
}
