using SharingHub.Gateway.Deconfliction;

namespace SharingHub.Gateway.Tests.Deconfliction;

/// <summary>The loader's cache of decoded features: kept by the bytes' content, never by the array (pure, no server).</summary>
public sealed class DecodedFeaturesTests
{
    private int _decodes;

    private string? Decode(ReadOnlySpan<byte> features)
    {
        _decodes++;
        return features.Length == 0 ? null : Convert.ToHexString(features);
    }

    [Fact]
    public void GetOrRead_EqualBytesInAnotherArray_DecodedOnce()
    {
        var cache = new DecodedFeatures<string>(capacity: 10);

        var first = cache.GetOrRead([1, 2, 3], Decode);
        var again = cache.GetOrRead([1, 2, 3], Decode);

        Assert.Equal("010203", first);
        Assert.Same(first, again);
        Assert.Equal(1, _decodes);
    }

    [Fact]
    public void GetOrRead_BytesThatDifferInOneByte_EachDecoded()
    {
        var cache = new DecodedFeatures<string>(capacity: 10);

        Assert.Equal("010203", cache.GetOrRead([1, 2, 3], Decode));
        Assert.Equal("010204", cache.GetOrRead([1, 2, 4], Decode));
        Assert.Equal("01020300", cache.GetOrRead([1, 2, 3, 0], Decode));

        Assert.Equal(3, _decodes);
    }

    [Fact]
    public void GetOrRead_DecoderGivesNull_NotKept()
    {
        var cache = new DecodedFeatures<string>(capacity: 10);

        Assert.Null(cache.GetOrRead([], Decode));
        Assert.Null(cache.GetOrRead([], Decode));

        Assert.Equal(2, _decodes);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GetOrRead_Full_EmptiedThenFilledAgain()
    {
        var cache = new DecodedFeatures<string>(capacity: 2);
        cache.GetOrRead([1], Decode);
        cache.GetOrRead([2], Decode);

        cache.GetOrRead([3], Decode);
        cache.GetOrRead([1], Decode);

        Assert.Equal(2, cache.Count);
        Assert.Equal(4, _decodes);
    }
}
