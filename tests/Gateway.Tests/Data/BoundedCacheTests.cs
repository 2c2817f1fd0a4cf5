using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.Tests.Data;

/// <summary>The Gateway's bounded caches: kept by the comparer's equality, emptied once full (pure).</summary>
public sealed class BoundedCacheTests
{
    [Fact]
    public void Add_PastCapacity_EmptiedThenFilledAgain()
    {
        var cache = new BoundedCache<string, int>(2, StringComparer.Ordinal);
        cache.Add("a", 1);
        cache.Add("b", 2);

        cache.Add("c", 3);

        Assert.Equal(1, cache.Count);
        Assert.False(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("c", out var c));
        Assert.Equal(3, c);
    }

    [Fact]
    public void Add_SameKeyTwice_KeptOnceAndCountedOnce()
    {
        var cache = new BoundedCache<string, int>(2, StringComparer.OrdinalIgnoreCase);
        cache.Add("a", 1);
        cache.Add("A", 9);
        cache.Add("b", 2);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(1, a);
    }
}
