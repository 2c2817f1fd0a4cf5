using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Records;

/// <summary>How the Gateway consumes published records (<c>Ingestion</c> section).</summary>
public sealed class IngestionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ingestion";

    /// <summary>The quorum queue the Gateway replicas share as competing consumers.</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{0,100}$")]
    public string QueueName { get; set; } = "sharinghub-records";

    /// <summary>Messages (batches) handled at once by one Gateway replica.</summary>
    [Range(1, 64)]
    public int ConcurrentMessageLimit { get; set; } = 4;

    /// <summary>Messages the broker sends ahead to one replica.</summary>
    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 8;

    /// <summary>Records one message may carry; a bigger batch is rejected as a whole.</summary>
    [Range(1, 100_000)]
    public int MaxRecordsPerMessage { get; set; } = 5000;

    /// <summary>
    /// The largest message body the Gateway reads, in bytes (default 128 MiB, the broker's <c>max_message_size</c>).
    /// A larger one goes to the error queue unread. A legitimate batch stays far below: see ADR-007.
    /// </summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxMessageBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Deliveries of one message before the broker gives up on it (the records queue's <c>delivery-limit</c> policy):
    /// a message that crashes or times out the Gateway this often is dead-lettered to the error queue.
    /// </summary>
    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>Days a message stays on the error queue before the broker drops it (its <c>message-ttl</c> policy).</summary>
    [Range(1, 3650)]
    public int ErrorRetentionDays { get; set; } = 30;

    /// <summary>Retries of a transient fault (database unavailable, timeout), with exponential back-off.</summary>
    [Range(0, 100)]
    public int TransientRetryLimit { get; set; } = 10;
}
