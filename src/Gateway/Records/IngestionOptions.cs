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

    /// <summary>Retries of a transient fault (database unavailable, timeout), with exponential back-off.</summary>
    [Range(0, 100)]
    public int TransientRetryLimit { get; set; } = 10;
}
