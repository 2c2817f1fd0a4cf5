using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SharingHub.Gateway.Data;

/// <summary>
/// Values kept by key for any number of threads, bounded without bookkeeping per read: once about
/// <c>capacity</c> entries have been added it is emptied and fills again with what is met next, which keeps the
/// commonly met ones. Entries are counted as they are added: <see cref="ConcurrentDictionary{TKey,TValue}.Count"/>
/// takes every lock of the dictionary, and asked on every miss it cost the matcher more than the decoding it saved
/// (ADR-015). Racing threads may each find it full and each empty it, which is harmless: it only fills again.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey> comparer) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new(comparer);
    private int _added;

    /// <summary>The entries held (takes every lock of the dictionary: for tests and diagnostics, not a hot path).</summary>
    public int Count => _entries.Count;

    /// <summary>The value kept for <paramref name="key"/>, if any.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Keeps <paramref name="value"/> for <paramref name="key"/>, emptying the cache first when it is full.</summary>
    public void Add(TKey key, TValue value)
    {
        if (Volatile.Read(ref _added) >= capacity)
        {
            _entries.Clear();
            Volatile.Write(ref _added, 0);
        }
        if (_entries.TryAdd(key, value))
        {
            Interlocked.Increment(ref _added);
        }
    }
}
