using GraphQL.DataLoader;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// A per-request batching loader (GraphQL.DataLoader is not served here; the execution strategy's
/// <see cref="IDataLoaderResult"/> support is in the main package). Resolvers queue keys; the first result awaited
/// fetches every key queued so far in one call, so a page of 50 matches loads its counterparts in one query. Not
/// thread-safe: the hub runs every operation with the serial execution strategy.
/// </summary>
internal sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    where TKey : notnull
    where TValue : class
{
    private readonly HashSet<TKey> _queued = [];
    private readonly Dictionary<TKey, TValue?> _loaded = [];
    private readonly Dictionary<TKey, Exception> _failed = [];

    /// <summary>The value of <paramref name="key"/> (null when there is none), fetched with every other queued key.</summary>
    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        if (!_loaded.ContainsKey(key))
        {
            _queued.Add(key);
        }
        return DataLoaderResult.From<TValue?>(async cancellationToken =>
        {
            await FetchQueuedAsync(key, cancellationToken);
            return _loaded.GetValueOrDefault(key);
        });
    }

    /// <summary>The values of <paramref name="keys"/> (null where there is none), in order.</summary>
    public IDataLoaderResult<TValue?[]> LoadMany(IReadOnlyList<TKey> keys)
    {
        foreach (var key in keys.Where(k => !_loaded.ContainsKey(k)))
        {
            _queued.Add(key);
        }
        return DataLoaderResult.From<TValue?[]>(async cancellationToken =>
        {
            foreach (var key in keys)
            {
                await FetchQueuedAsync(key, cancellationToken);
            }
            return [.. keys.Select(k => _loaded.GetValueOrDefault(k))];
        });
    }

    /// <summary>Records <paramref name="value"/> (null: there is none) as <paramref name="key"/>'s, loaded by the caller with other data.</summary>
    public void Prime(TKey key, TValue? value)
    {
        _loaded[key] = value;
        _queued.Remove(key);
    }

    /// <summary>Whether <paramref name="key"/> is loaded (its value null when there is none), so it can be read without waiting.</summary>
    public bool TryGet(TKey key, out TValue? value) => _loaded.TryGetValue(key, out value);

    private async Task FetchQueuedAsync(TKey needed, CancellationToken cancellationToken)
    {
        if (_failed.TryGetValue(needed, out var earlier))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(earlier);
        }
        if (_loaded.ContainsKey(needed) || _queued.Count == 0)
        {
            return;
        }
        var keys = _queued.ToArray();
        _queued.Clear();
        IReadOnlyDictionary<TKey, TValue> values;
        try
        {
            values = await fetch(keys, cancellationToken);
        }
        catch (Exception failure)
        {
            // Every field waiting on this batch fails with its cause, not with a puzzling null.
            foreach (var key in keys)
            {
                _failed[key] = failure;
            }
            throw;
        }
        foreach (var key in keys)
        {
            _loaded[key] = values.GetValueOrDefault(key);
        }
    }
}

/// <summary>Pending results built from a function, and composed with <see cref="Then"/>.</summary>
internal static class DataLoaderResult
{
    /// <summary>A pending result that runs <paramref name="get"/> once, when the strategy first awaits it.</summary>
    public static IDataLoaderResult<T> From<T>(Func<CancellationToken, Task<T>> get) => new Pending<T>(get);

    /// <summary>The result of <paramref name="source"/> mapped by <paramref name="map"/>, still pending.</summary>
    public static IDataLoaderResult<TOut> Then<TIn, TOut>(this IDataLoaderResult<TIn> source, Func<TIn, TOut> map) =>
        new Pending<TOut>(async cancellationToken => map(await source.GetResultAsync(cancellationToken)));

    private sealed class Pending<T>(Func<CancellationToken, Task<T>> get) : IDataLoaderResult<T>
    {
        private Task<T>? _result;

        public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => _result ??= get(cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
