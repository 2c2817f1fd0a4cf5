using GraphQL;
using GraphQL.Builders;
using GraphQL.Resolvers;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// A resolver that only reads a value of its source object: no context, no database, no audit. The query strategy
/// (HubQueryExecutionStrategy) runs such fields without a resolve context, and answers an object or a
/// list of objects made only of such fields in one execution node instead of one node per field.
/// </summary>
internal interface IPlainFieldResolver : IFieldResolver
{
    /// <summary>The field's value on <paramref name="source"/>.</summary>
    object? Read(object? source);
}

/// <summary>A <see cref="IPlainFieldResolver"/> over sources of type <typeparamref name="TSource"/>.</summary>
internal sealed class PlainFieldResolver<TSource>(Func<TSource, object?> read) : IPlainFieldResolver
{
    public object? Read(object? source) => read((TSource)source!);

    public ValueTask<object?> ResolveAsync(IResolveFieldContext context) => new(Read(context.Source));
}

/// <summary>Declares plain fields.</summary>
internal static class PlainFields
{
    /// <summary>
    /// Resolves the field by reading <paramref name="read"/> of the source only. Use it only where that is all the
    /// resolver does: a field that reaches the request's context (the caller, the database, the audit) needs a
    /// resolver of its own.
    /// </summary>
    public static FieldBuilder<TSource, TReturn> Reads<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field, Func<TSource, object?> read) =>
        field.Resolve(new PlainFieldResolver<TSource>(read));
}
