using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Sanitizing;
using SharingHub.Connectors.Sources;
using SharingHub.Contracts.V1;

namespace SharingHub.Bench.Alerts;

/// <summary>
/// The connector's own publish path, in process: each canonical line is parsed (<see cref="CanonicalLine"/>),
/// sanitized (<see cref="Sanitizer"/>) and published alone as one <see cref="RecordBatchPublished"/> by the connector's
/// <see cref="RecordPublisher"/> (the agency's broker user, mandatory, confirmed), which is what <c>publish --batch-size
/// 1</c> sends for each line. In process rather than the CLI, so that a probe's publish time is the time of its own
/// message, not of a process start, and so that a stream can be paced record by record.
/// </summary>
internal sealed class ConnectorPath : IAsyncDisposable
{
    private readonly RecordPublisher _publisher;
    private readonly Sanitizer _sanitizer = new(new SanitizerSettings());

    private ConnectorPath(RecordPublisher publisher) => _publisher = publisher;

    /// <summary>Connects as <paramref name="agency"/> with the password in <paramref name="passwordFile"/>.</summary>
    public static async Task<ConnectorPath> StartAsync(Uri broker, string agency, string passwordFile, CancellationToken cancellationToken)
    {
        var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        var publisher = await RecordPublisher.StartAsync(new BrokerSettings(broker, agency, password), new ReportRetries(agency), cancellationToken);
        return new ConnectorPath(publisher);
    }

    /// <summary>
    /// The batch of canonical lines, as the connector would publish them together (one line: what <c>--batch-size 1</c>
    /// sends); a line the connector would reject throws (the benchmark's records are valid, so a rejection is a bug in
    /// the benchmark).
    /// </summary>
    public RecordBatchPublished Prepare(params IEnumerable<string> lines)
    {
        var (persons, phones, locations) = (new List<PersonRecordPublished>(), new List<PhoneRecordPublished>(), new List<LocationRecordPublished>());
        foreach (var line in lines)
        {
            var (source, problem) = CanonicalLine.Parse(line);
            if (source is null)
            {
                throw new BenchFailedException($"the connector could not read a benchmark record: {problem?.Reason}");
            }
            var result = _sanitizer.Sanitize(source);
            switch (result.Record)
            {
                case PersonRecordPublished person: persons.Add(person); break;
                case PhoneRecordPublished phone: phones.Add(phone); break;
                case LocationRecordPublished location: locations.Add(location); break;
                default:
                    throw new BenchFailedException(
                        $"the connector rejected a benchmark record: {string.Join("; ", result.Problems.Select(p => $"{p.Field} {p.Reason}"))}");
            }
        }
        return new RecordBatchPublished { Persons = persons, Phones = phones, Locations = locations };
    }

    /// <summary>Publishes one prepared batch; returns once the broker confirmed it.</summary>
    public Task PublishAsync(RecordBatchPublished batch, CancellationToken cancellationToken) => _publisher.PublishAsync(batch, cancellationToken);

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();

    // As the CLI does, a retry is told and the run goes on; the figures then include the wait, which the line says.
    private sealed class ReportRetries(string agency) : IPublishStatus
    {
        public void Retrying(string what, string reason, TimeSpan delay) =>
            Console.Error.WriteLine($"bench alerts: the connector of {agency} retries ({what}: {reason}); the figures of this run include the wait");

        public void Recovered(string what) => Console.Error.WriteLine($"bench alerts: the connector of {agency} recovered ({what})");
    }
}
