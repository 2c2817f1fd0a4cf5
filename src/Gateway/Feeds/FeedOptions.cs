using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Feeds;

/// <summary>How subscribers read the change feeds (<c>Feeds</c> section).</summary>
public sealed class FeedOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Feeds";

    /// <summary>Entries read per query while a subscriber catches up.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 100;

    /// <summary>
    /// A subscriber re-reads its feed at least this often even without a notification (seconds), so that a
    /// notification lost with the listening connection delays an event, never loses it.
    /// </summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 15;

    /// <summary>
    /// First wait before re-reading when a committed entry is held back behind an older transaction that is still
    /// running (milliseconds); it doubles up to one second.
    /// </summary>
    [Range(1, 1000)]
    public int HeldBackRetryMilliseconds { get; set; } = 10;
}
