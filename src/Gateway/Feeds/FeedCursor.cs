using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SharingHub.Gateway.Feeds;

/// <summary>
/// A position in a change feed: every entry at or before (<see cref="Tx"/>, <see cref="Id"/>) has been read. Given
/// out as an opaque string (<c>f1:TX:ID</c>, base64url) with each event, so that a client that reconnects with it
/// receives exactly what it missed.
/// </summary>
public readonly record struct FeedCursor(long Tx, long Id) : IComparable<FeedCursor>
{
    /// <summary>The position just before every entry of transaction <paramref name="tx"/> and later ones.</summary>
    public static FeedCursor Before(long tx) => new(tx - 1, long.MaxValue);

    /// <summary>The position of <paramref name="entry"/>.</summary>
    public static FeedCursor Of(IFeedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Tx, entry.Id);
    }

    /// <summary>The opaque form.</summary>
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"f1:{Tx}:{Id}")));

    /// <summary>Reads an opaque cursor; <see langword="false"/> for anything this hub did not give out.</summary>
    public static bool TryDecode(string? text, out FeedCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 100)
        {
            return false;
        }
        string plain;
        try
        {
            plain = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = plain.Split(':');
        if (parts is not ["f1", var tx, var id]
            || !long.TryParse(tx, NumberStyles.None, CultureInfo.InvariantCulture, out var txValue)
            || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var idValue))
        {
            return false;
        }
        cursor = new FeedCursor(txValue, idValue);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(FeedCursor other) => Tx != other.Tx ? Tx.CompareTo(other.Tx) : Id.CompareTo(other.Id);

    /// <summary>Whether <paramref name="left"/> is after <paramref name="right"/>.</summary>
    public static bool operator >(FeedCursor left, FeedCursor right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is before <paramref name="right"/>.</summary>
    public static bool operator <(FeedCursor left, FeedCursor right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is at or after <paramref name="right"/>.</summary>
    public static bool operator >=(FeedCursor left, FeedCursor right) => left.CompareTo(right) >= 0;

    /// <summary>Whether <paramref name="left"/> is at or before <paramref name="right"/>.</summary>
    public static bool operator <=(FeedCursor left, FeedCursor right) => left.CompareTo(right) <= 0;
}
