using GraphQL;
using GraphQL.Builders;
using GraphQL.Resolvers;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// A resolver whose value can be read at once, without a resolve context: a value of its source object, or one the
/// operation has already loaded. The query strategy (HubQueryExecutionStrategy) runs such fields without a resolve
/// context, and answers an object or a list of objects made only of such fields in one execution node instead of one
/// node per field. Where the value cannot be read at once, the field is resolved the full way, which gives the same
/// value.
/// </summary>
internal interface IPlainFieldResolver : IFieldResolver
{
    /// <summary>
    /// Reads the field's value on <paramref name="source"/>; false when it cannot be read at once (it waits for a
    /// loader), and the field must be resolved the full way.
    /// </summary>
    /// <param name="source">The parent object.</param>
    /// <param name="userContext">The operation's context (a <see cref="HubRequestContext"/> for the hub's operations).</param>
    /// <param name="value">The value, when read.</param>
    bool TryRead(object? source, object? userContext, out object? value);
}

/// <summary>A <see cref="IPlainFieldResolver"/> that reads a value of its source of type <typeparamref name="TSource"/>.</summary>
internal sealed class PlainFieldResolver<TSource>(Func<TSource, object?> read) : IPlainFieldResolver
{
    public bool TryRead(object? source, object? userContext, out object? value)
    {
        value = read((TSource)source!);
        return true;
    }

    public ValueTask<object?> ResolveAsync(IResolveFieldContext context) => new(read((TSource)context.Source!));
}

/// <summary>Reads a field of <typeparamref name="TSource"/> from what the operation has loaded; false while it is not loaded.</summary>
internal delegate bool LoadedReader<in TSource>(TSource source, HubRequestContext hub, out object? value);

/// <summary>
/// A <see cref="IPlainFieldResolver"/> over what the operation has loaded (<see cref="HubRequestContext"/>): read at
/// once when it is loaded, else <paramref name="resolve"/>, which may return a pending loader result.
/// </summary>
internal sealed class LoadedFieldResolver<TSource>(LoadedReader<TSource> tryRead, Func<TSource, HubRequestContext, object?> resolve)
    : IPlainFieldResolver
{
    public bool TryRead(object? source, object? userContext, out object? value)
    {
        if (userContext is HubRequestContext hub)
        {
            return tryRead((TSource)source!, hub, out value);
        }
        value = null;
        return false;
    }

    public ValueTask<object?> ResolveAsync(IResolveFieldContext context) => new(resolve((TSource)context.Source!, context.Hub()));
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

    /// <summary>
    /// Resolves the field from what the operation loads: <paramref name="tryRead"/> answers at once when it is loaded;
    /// otherwise <paramref name="resolve"/> answers, with a pending loader result if need be. Both must give the same
    /// value, and go through the same decisions (a release is decided, and audited, once either way).
    /// </summary>
    public static FieldBuilder<TSource, TReturn> ReadsLoaded<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field,
        LoadedReader<TSource> tryRead, Func<TSource, HubRequestContext, object?> resolve) =>
        field.Resolve(new LoadedFieldResolver<TSource>(tryRead, resolve));
}
