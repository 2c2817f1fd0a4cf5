using SharingHub.Contracts.V1;

namespace SharingHub.Connectors.Publishing;

/// <summary>Where the hub's broker is and the agency's credentials on it. The user name is the agency code.</summary>
internal sealed record BrokerSettings(Uri Url, string Username, string Password)
{
    /// <summary>How long one publish may wait for the broker's confirm before it is retried.</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between retries while the broker is unavailable.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(15);

    public override string ToString() => $"{Username}@{Url.Host}:{Url.Port}{Url.AbsolutePath}";
}

/// <summary>The broker refused the agency for good (credentials, permissions, hub topology): retrying cannot help.</summary>
internal sealed class BrokerRefusedException : Exception
{
    public BrokerRefusedException(string message) : base(message) { }

    public BrokerRefusedException(string message, Exception inner) : base(message, inner) { }

    public BrokerRefusedException() { }
}

/// <summary>Hears about the publisher's waits, so a CLI can print them and a worker can log them.</summary>
internal interface IPublishStatus
{
    void Retrying(string what, string reason, TimeSpan delay);

    void Recovered(string what);
}

/// <summary>Publishes one batch and returns once the broker confirmed it (<see cref="RecordPublisher"/>).</summary>
internal interface IBatchPublisher
{
    Task PublishAsync(RecordBatchPublished batch, CancellationToken cancellationToken);
}
