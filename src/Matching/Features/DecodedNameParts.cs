using System.Collections.Concurrent;
using SharingHub.Matching.Normalization;

namespace SharingHub.Matching.Features;

/// <summary>
/// The name parts read back from stored features, shared by their bytes: a part (its words, phonetic codes, nickname
/// groups and name-frequency keys) is immutable and wholly given by its encoded bytes, and a population's names repeat
/// (a few common given names and surnames, a long tail), so a candidate that reads as "maría" / "garcía lópez" takes
/// the parts already read instead of allocating them again. Looked up by the bytes as they lie in the features,
/// without copying them; at most <see cref="Capacity"/> parts are kept, after which new ones are read and not kept.
/// Safe for any number of threads.
/// </summary>
internal static class DecodedNameParts
{
    /// <summary>The parts kept, at most (about 300 bytes each with their words).</summary>
    public const int Capacity = 100_000;

    private static readonly ConcurrentDictionary<byte[], NamePart> Parts = new(ByteContent.Instance);
    private static readonly ConcurrentDictionary<byte[], NamePart>.AlternateLookup<ReadOnlySpan<byte>> ByBytes =
        Parts.GetAlternateLookup<ReadOnlySpan<byte>>();

    // Counted as added: ConcurrentDictionary.Count takes every lock of the dictionary.
    private static int _count;

    /// <summary>The part encoded as <paramref name="bytes"/>, or null when none is kept.</summary>
    public static NamePart? Find(ReadOnlySpan<byte> bytes) => ByBytes.TryGetValue(bytes, out var part) ? part : null;

    /// <summary>Keeps <paramref name="part"/>, read from <paramref name="bytes"/>, while there is room.</summary>
    public static void Keep(ReadOnlySpan<byte> bytes, NamePart part)
    {
        if (Volatile.Read(ref _count) < Capacity && Parts.TryAdd(bytes.ToArray(), part))
        {
            Interlocked.Increment(ref _count);
        }
    }
}
