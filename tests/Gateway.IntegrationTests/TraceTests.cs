using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Trace;
using SharingHub.Connectors.Alerts;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Telemetry;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A Gateway that relays alerts, with an in-process exporter on its own tracer provider (the one ServiceDefaults
/// configures). The matching workers do not poll, so a record is matched by a worker of the Gateway that stored it, when
/// the store wakes it (or when a test runs a worker step).
/// </summary>
public sealed class TraceFixture : DeconflictionFixture
{
    /// <summary>The spans the Gateway's tracer provider exported.</summary>
    public SpanCollection Spans { get; } = new();

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "3600",
        ["Alerts:RelayEnabled"] = "true",
        ["Alerts:RelayPollSeconds"] = "0.2",
    };

    protected override GatewayApp CreateApp(Dictionary<string, string?> settings) => new(this, settings)
    {
        // No OTLP endpoint here: the hosts' tracing, with an in-process exporter.
        TestServices = services => services.AddHubTracing("SharingHub.Gateway")
            .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)),
    };
}

/// <summary>Exported spans, safe to add to from the exporter's thread while a test reads them.</summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_spans)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public void Add(Activity item)
    {
        lock (_spans)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_spans)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_spans)
        {
            return _spans.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_spans)
        {
            _spans.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_spans)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// One trace follows a record from the connector's publish, through RabbitMQ, the Gateway's consumer, the store and the
/// match, across the alerts outbox, to the relay's publish and the connector's hand-over of the alert (ADR-013).
/// </summary>
public sealed class TraceTests(TraceFixture hub) : IClassFixture<TraceFixture>
{
    // Contents of the traced records: none of them may appear in any span.
    private const string GivenName = "Quintavius";
    private const string Surname = "Oxenbridge";
    private const string Address = "4471 Wisteria Hollow Rd, Houston, TX 77002";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trace_RecordPublishedByConnector_OneConnectedTraceFromPublishToAlertDelivery()
    {
        var connectorSpans = new SpanCollection();
        using var connectorTracing = ConnectorTelemetry.Create(tracing => tracing.AddInMemoryExporter(connectorSpans));
        var (a, _) = await hub.AddAgencyWithPasswordAsync("TA");
        var (b, passwordB) = await hub.AddAgencyWithPasswordAsync("TB");
        var number = $"+1713555{Random.Shared.Next(1000, 9999)}";
        await a.PublishAsync(Records.Phone("T-1", null, number, new DateOnly(2026, 1, 1)));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");

        // Agency B publishes through the connector's own publisher: a person, their phone (A's number) and their address.
        var broker = new BrokerSettings(new UriBuilder(hub.VirtualHost.AmqpUri) { UserName = "", Password = "" }.Uri, b.Code, passwordB);
        await using (var publisher = await RecordPublisher.StartAsync(broker, new QuietStatus(), Ct))
        {
            await publisher.PublishAsync(new RecordBatchPublished
            {
                Persons = [Records.Person("P-9", GivenName, Surname, "1988-03-14")],
                Phones = [Records.Phone("T-9", "P-9", number, new DateOnly(2026, 2, 1))],
                Locations = [Records.Place("L-9", "P-9", Address)],
            }, Ct);
        }
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-9");
        var relayed = await Eventually.UntilAsync(
            () => hub.App.WithDatabaseAsync(db => db.Alerts.AsNoTracking()
                .Where(x => x.AgencyCode == b.Code && db.AlertRelayCursors.Any(c => x.Tx < c.Tx || (x.Tx == c.Tx && x.Id <= c.AlertId)))
                .SingleOrDefaultAsync()),
            x => x is not null, "B's alert relayed to its queue", cancellationToken: Ct);
        var alertId = relayed!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // B's connector drains its alert queue to a file.
        var folder = Directory.CreateTempSubdirectory("trace-drain-");
        try
        {
            await using var sink = AlertSinks.Parse($"file:{Path.Combine(folder.FullName, "alerts.jsonl")}", folder.FullName);
            var drain = new AlertDrain(sink, new AlertDrainOptions { Broker = broker, StateDirectory = folder.FullName, Once = true }, NullLogger.Instance);
            await drain.RunAsync(Ct);
            Assert.Equal(1, drain.Delivered);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        var connector = connectorSpans.Snapshot();
        var gateway = hub.Spans.Snapshot();

        // The chain, hop by hop: each span's parent is the hop before. Which provider exported a span shows that its
        // side registered the source (the connector's MassTransit, the Gateway's MassTransit, Npgsql and its own).
        var publish = Hop(connector, "the connector's publish", s => s.Source.Name == ConnectorTelemetry.ActivitySourceName
            && s.DisplayName == "publish batch" && Tag(s, ConnectorTelemetry.Tags.Agency) == b.Code);
        Assert.Equal(default, publish.ParentSpanId);
        var trace = publish.TraceId;
        var inTrace = connector.Concat(gateway).Where(s => s.TraceId == trace).DistinctBy(s => s.SpanId).ToList();
        var send = Hop(connector, "MassTransit's send", s => s.Source.Name == Telemetry.MassTransitSourceName && s.Kind == ActivityKind.Producer
            && s.ParentSpanId == publish.SpanId, inTrace);
        var hubSide = gateway.Where(s => s.TraceId == trace).ToList();
        var receive = Hop(hubSide, "MassTransit's receive", s => s.Source.Name == Telemetry.MassTransitSourceName && s.Kind == ActivityKind.Consumer
            && s.ParentSpanId == send.SpanId, inTrace);
        var consume = Hop(hubSide, "MassTransit's consume", s => s.Source.Name == Telemetry.MassTransitSourceName && s.ParentSpanId == receive.SpanId
            && Tag(s, "messaging.masstransit.consumer_type") == typeof(global::SharingHub.Gateway.Records.RecordConsumer).FullName, inTrace);
        var store = Hop(hubSide, "the store", s => s.Source.Name == Telemetry.ActivitySourceName && s.DisplayName == "store records"
            && s.ParentSpanId == consume.SpanId, inTrace);
        Assert.Equal((b.Code, "3"), (Tag(store, Telemetry.Tags.Agency), Tag(store, Telemetry.Tags.Records)));
        Hop(hubSide, "Npgsql's upsert", s => s.Source.Name == "Npgsql" && s.ParentSpanId == store.SpanId
            && Tag(s, "db.query.text")?.StartsWith("INSERT INTO records", StringComparison.Ordinal) == true, inTrace);
        // Matching is its own work (a worker's run, ADR-005): it continues the trace of the store that queued the record.
        var match = Hop(hubSide, "the match", s => s.Source.Name == Telemetry.ActivitySourceName && s.DisplayName == "match records"
            && s.ParentSpanId == store.SpanId, inTrace);
        Assert.Equal(("worker", "1"), (Tag(match, Telemetry.Tags.Trigger), Tag(match, Telemetry.Tags.Found)));
        // The alerts table is the outbox: the relay's publish, in another unit of work, continues the run that raised the alert.
        var relay = Hop(hubSide, "the relay of B's alert", s => s.DisplayName == "relay alert" && Tag(s, Telemetry.Tags.AlertId) == alertId
            && s.ParentSpanId == match.SpanId, inTrace);
        Assert.Equal((ActivityKind.Producer, "confirmed"), (relay.Kind, Tag(relay, Telemetry.Tags.Outcome)));
        // A's alert, raised by the same run, continues the same trace to A's queue.
        Hop(hubSide, "the relay of A's alert", s => s.DisplayName == "relay alert" && Tag(s, Telemetry.Tags.Agency) == a.Code
            && s.ParentSpanId == match.SpanId, inTrace);
        // And through the agency's queue, the connector's hand-over to its own system.
        var deliver = Hop(connector, "the connector's delivery", s => s.DisplayName == "deliver alert" && s.ParentSpanId == relay.SpanId, inTrace);
        Assert.Equal("delivered", Tag(deliver, ConnectorTelemetry.Tags.Outcome));

        // Connected: every span of the trace, whichever side exported it, hangs from the publish through spans of the trace.
        var spans = inTrace.ToDictionary(s => s.SpanId);
        Assert.All(spans.Values.Where(s => s != publish), s => Assert.True(spans.ContainsKey(s.ParentSpanId),
            $"span '{s.DisplayName}' ({s.Source.Name}) has a parent outside the trace's spans"));

        // No span anywhere, in either process side, carries what the records say.
        string[] contents = [GivenName, Surname, Address, "Wisteria", number, number[2..]];
        foreach (var span in connector.Concat(gateway))
        {
            var texts = new List<string?> { span.DisplayName, span.StatusDescription };
            texts.AddRange(span.TagObjects.Select(t => t.Value?.ToString()));
            texts.AddRange(span.Baggage.Select(t => t.Value));
            texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString()).Append(e.Name)));
            foreach (var text in texts.OfType<string>())
            {
                Assert.False(contents.Any(c => text.Contains(c, StringComparison.OrdinalIgnoreCase)),
                    $"span '{span.DisplayName}' ({span.Source.Name}) carries a record's contents: {text}");
            }
        }
    }

    [Fact]
    public async Task Trace_WorkerRunOfRecordsFromTwoStores_ContinuesTheOldestStoresTraceAndLinksTheOther()
    {
        var a = await hub.AddAgencyAsync("SA");
        var b = await hub.AddAgencyAsync("SB");
        var number = $"+1713555{Random.Shared.Next(1000, 9999)}";
        await a.PublishAsync(Records.Phone("T-1", null, number, new DateOnly(2026, 1, 1)));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");
        await b.PublishAsync(Records.Phone("T-9", null, number, new DateOnly(2026, 2, 1)));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-9");

        // Both records queued again, as two stores in two traces wrote their markers (B's first); one worker run takes both.
        var (first, firstSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        var second = ActivityTraceId.CreateRandom();
        var firstParent = $"00-{first.ToHexString()}-{firstSpan.ToHexString()}-01";
        var secondParent = $"00-{second.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO match_pending (record_id, queued_at, attempts, trace_parent)
            SELECT id, now() - CASE WHEN agency_code = {b.Code} THEN interval '2 hours' ELSE interval '1 hour' END, 0,
                   CASE WHEN agency_code = {b.Code} THEN {firstParent} ELSE {secondParent} END
            FROM records WHERE (agency_code = {b.Code} AND local_id = 'T-9') OR (agency_code = {a.Code} AND local_id = 'T-1')
            """, Ct));
        var matched = await hub.WithServicesAsync(services => services.GetRequiredService<MatchWorkers>().RunNextAsync(Ct));

        Assert.Equal(2, matched);
        var spans = hub.Spans.Snapshot();
        var run = Hop(spans, "the worker's run", s => s.DisplayName == "match records" && s.TraceId == first);
        Assert.Equal((firstSpan, "worker", "2"), (run.ParentSpanId, Tag(run, Telemetry.Tags.Trigger), Tag(run, Telemetry.Tags.Records)));
        Assert.Equal([second], run.Links.Select(l => l.Context.TraceId));
    }

    /// <summary>The one span of <paramref name="spans"/> that is hop <paramref name="what"/>; on failure, the trace's spans.</summary>
    private static Activity Hop(IEnumerable<Activity> spans, string what, Func<Activity, bool> isHop, IEnumerable<Activity>? trace = null)
    {
        var found = spans.Where(isHop).ToList();
        Assert.True(found.Count == 1, $"{what}: {found.Count} spans match; the trace holds:\n{Describe(trace ?? spans)}");
        return found[0];
    }

    private static string Describe(IEnumerable<Activity> spans) => string.Join('\n', spans.OrderBy(s => s.StartTimeUtc).Select(s =>
        $"  {s.SpanId} <- {s.ParentSpanId} [{s.Source.Name}] {s.Kind} '{s.DisplayName}' "
        + string.Join(' ', s.TagObjects.Where(t => !t.Key.StartsWith("db.query", StringComparison.Ordinal)).Select(t => $"{t.Key}={t.Value}"))));

    private static string? Tag(Activity span, string name) => span.GetTagItem(name) switch
    {
        null => null,
        IFormattable value => value.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var value => value.ToString(),
    };

    private sealed class QuietStatus : IPublishStatus
    {
        public void Retrying(string what, string reason, TimeSpan delay)
        {
        }

        public void Recovered(string what)
        {
        }
    }
}
