using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;
using SharingHub.Connectors.Alerts;
using SharingHub.Connectors.Publishing;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Alerts;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The fixture's Gateway commits alerts but does not relay them (<c>Alerts:RelayEnabled=false</c>): a test that wants
/// delivery starts a relaying Gateway of its own on the same database and broker, which is also how a Gateway that
/// stopped between an alert's commit and its delivery comes back. Escalation runs after a few seconds.
/// </summary>
public sealed class AlertDeliveryFixture : DeconflictionFixture
{
    public const double EscalateAfterSeconds = 6;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "0.5",
        ["Alerts:RelayEnabled"] = "false",
        ["Alerts:EscalateAfterSeconds"] = EscalateAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerts:EscalationCheckSeconds"] = "0.5",
    };

    /// <summary>A Gateway on the fixture's database and broker that relays alerts to the agencies' queues.</summary>
    public GatewayApp StartRelayingGateway(params (string Key, string Value)[] overrides)
    {
        var settings = Settings;
        settings["Alerts:RelayEnabled"] = "true";
        settings["Alerts:RelayPollSeconds"] = "0.2";
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        var app = new GatewayApp(this, settings);
        _ = app.Services;
        return app;
    }

    /// <summary>Ready messages on agency <paramref name="code"/>'s alert queue; -1 while the queue does not exist.</summary>
    public async Task<int> QueuedAsync(string code)
    {
        using var response = await VirtualHost.Management.GetAsync(
            $"api/queues/{Uri.EscapeDataString(VirtualHost.Name)}/{Uri.EscapeDataString(AlertQueueTopology.QueueOf(code))}?disable_stats=false");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return -1;
        }
        // The management API's counts lag; the broker's own count is exact.
        await using var admin = await new ConnectionFactory { Uri = VirtualHost.AmqpUri }.CreateConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        return (int)await channel.MessageCountAsync(AlertQueueTopology.QueueOf(code));
    }

    /// <summary>Takes every message off agency <paramref name="code"/>'s alert queue (as the admin user).</summary>
    public async Task<List<(string? MessageId, AlertRaised Alert)>> TakeAllAsync(string code)
    {
        await using var admin = await new ConnectionFactory { Uri = VirtualHost.AmqpUri }.CreateConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        var taken = new List<(string?, AlertRaised)>();
        while (await channel.BasicGetAsync(AlertQueueTopology.QueueOf(code), autoAck: true) is { } got)
        {
            taken.Add((got.BasicProperties.MessageId, JsonSerializer.Deserialize<AlertRaised>(got.Body.Span, JsonSerializerOptions.Web)!));
        }
        return taken;
    }

}

/// <summary>
/// Alert delivery to the agencies' own RabbitMQ queues (the outbox relay), the connector's drain, and escalation, on
/// the real broker and database.
/// </summary>
public sealed class AlertDeliveryTests(AlertDeliveryFixture hub) : IClassFixture<AlertDeliveryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(AgencyBus A, string PasswordA, AgencyBus B, string PasswordB)> SharedPhoneAsync(string prefix)
    {
        var (a, passwordA) = await hub.AddAgencyWithPasswordAsync(prefix + "A");
        var (b, passwordB) = await hub.AddAgencyWithPasswordAsync(prefix + "B");
        var number = $"+1713555{Random.Shared.Next(1000, 9999)}";
        await a.PublishAsync(Records.Phone("T-1", null, number, new DateOnly(2026, 1, 1)));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");
        await b.PublishAsync(Records.Phone("T-9", null, number, new DateOnly(2026, 2, 1)));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-9");
        return (a, passwordA, b, passwordB);
    }

    private Task<List<Alert>> AlertsOfAsync(string code) =>
        hub.App.WithDatabaseAsync(db => db.Alerts.AsNoTracking().Where(a => a.AgencyCode == code).OrderBy(a => a.Id).ToListAsync());

    // The agencies' alerts in id order, each with whether the relay delivered it (its cursor has passed it).
    private Task<List<(Alert Alert, bool Delivered)>> DeliveryOfAsync(params string[] codes) =>
        hub.App.WithDatabaseAsync(async db => (await db.Alerts.AsNoTracking().Where(a => codes.Contains(a.AgencyCode)).OrderBy(a => a.Id)
                .Select(a => new { Alert = a, Delivered = db.AlertRelayCursors.Any(c => a.Tx < c.Tx || (a.Tx == c.Tx && a.Id <= c.AlertId)) })
                .ToListAsync())
            .Select(x => (x.Alert, x.Delivered)).ToList());

    [Fact]
    public async Task Relay_CrossAgencyMatch_EachAgencyExactlyOneAlertOnItsOwnQueue()
    {
        await using var relay = hub.StartRelayingGateway();
        var (a, _, b, _) = await SharedPhoneAsync("Q");

        await Eventually.UntilAsync(async () => await hub.QueuedAsync(a.Code) >= 1 && await hub.QueuedAsync(b.Code) >= 1,
            "an alert on each agency's queue", cancellationToken: Ct);
        // Nothing more comes for the match: the relay marked each delivered. (An escalation, raised if nobody acknowledged
        // in time, is another alert with its own id.)
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        foreach (var agency in new[] { a, b })
        {
            var taken = await hub.TakeAllAsync(agency.Code);
            var (alert, delivered) = Assert.Single(await DeliveryOfAsync(agency.Code), x => x.Alert.Kind == AlertKind.Deconfliction);
            Assert.True(delivered);
            var (messageId, message) = Assert.Single(taken, t => t.Alert.Kind == "deconfliction");
            Assert.Equal(alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), messageId);
            Assert.Equal(messageId, message.AlertId);
            Assert.Equal(agency.Code, message.Agency);
            Assert.Equal("sharedPhone", message.Match?.Kind);
            Assert.Equal(agency == a ? b.Code : a.Code, message.Match?.OtherAgency);
            Assert.Equal(taken.Count, taken.Select(t => t.MessageId).Distinct().Count());
        }
    }

    [Fact]
    public async Task Relay_AlertLeftBehindAQuietTransaction_DeliveredWithoutNotificationOrPoll()
    {
        // The relay polls once an hour here, and nothing escalates (an escalation is an alert, and would notify), so what
        // it delivers after the last notification it delivers because it knew it had left alerts behind.
        await using var relay = hub.StartRelayingGateway(("Alerts:RelayPollSeconds", "3600"), ("Alerts:EscalateAfterSeconds", "3600"));
        var (a, _, b, _) = await SharedPhoneAsync("K");
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).Count(x => x.Delivered) == 2,
            "the first match's alerts delivered", cancellationToken: Ct);
        var first = Assert.Single(await AlertsOfAsync(a.Code));

        // Transactions in this order: Y (an alert), then a quiet one that writes no alert and so will notify nothing, then
        // Z (an alert, committed at once: it notifies, and waits behind Y). Once Y commits, a pass delivers Y and leaves Z
        // behind the quiet transaction; when that one ends, no notification comes, and the relay must look again itself.
        await using var y = await CopyOfAlertInOpenTransactionAsync(first.Id, ":y");
        await using var quiet = await OpenTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", quiet.Connection, quiet.Transaction))
        {
            await xid.ExecuteScalarAsync(Ct);
        }
        await using (var z = await CopyOfAlertInOpenTransactionAsync(first.Id, ":z"))
        {
            await z.Transaction.CommitAsync(Ct);
        }
        await y.Transaction.CommitAsync(Ct);
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code)).Any(d => d.Delivered && d.Alert.Fingerprint.EndsWith(":y", StringComparison.Ordinal)),
            "Y delivered while the quiet transaction runs", cancellationToken: Ct);
        Assert.False((await DeliveryOfAsync(a.Code)).Single(d => d.Alert.Fingerprint.EndsWith(":z", StringComparison.Ordinal)).Delivered);

        await quiet.Transaction.CommitAsync(Ct);
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).All(d => d.Delivered),
            "Z delivered once the quiet transaction ended, with no notification and no poll", cancellationToken: Ct);
    }

    private sealed record OpenInsert(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private async Task<OpenInsert> OpenTransactionAsync()
    {
        var connection = new NpgsqlConnection(hub.Database.ConnectionString);
        await connection.OpenAsync(Ct);
        return new OpenInsert(connection, await connection.BeginTransactionAsync(Ct));
    }

    // A copy of an alert under another fingerprint, inserted by a transaction left open (it notifies when it commits).
    private async Task<OpenInsert> CopyOfAlertInOpenTransactionAsync(long alertId, string suffix)
    {
        var open = await OpenTransactionAsync();
        var (connection, transaction) = (open.Connection, open.Transaction);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO alerts (match_id, agency_code, audience, kind, status, fingerprint, raised_at) "
            + "SELECT match_id, agency_code, audience, kind, 'Open', fingerprint || @suffix, now() FROM alerts WHERE id = @id", connection, transaction);
        insert.Parameters.AddWithValue("id", alertId);
        insert.Parameters.AddWithValue("suffix", suffix);
        Assert.Equal(1, await insert.ExecuteNonQueryAsync(Ct));
        return open;
    }

    [Fact]
    public async Task Relay_AlertCommittedBehindARunningTransaction_HeldBackThenDeliveredNoneLost()
    {
        await using var relay = hub.StartRelayingGateway();
        var (a, _, b, _) = await SharedPhoneAsync("H");
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).Count(x => x.Delivered) == 2,
            "the first match's alerts delivered", cancellationToken: Ct);

        // An older transaction raises an alert (a copy of A's, under another fingerprint) and stays open, while a newer
        // one raises alerts and commits first. The cursor must not pass the newer ones until the older one commits: its
        // alert would then sit behind the cursor, never delivered.
        var first = Assert.Single(await AlertsOfAsync(a.Code));
        await using var older = new NpgsqlConnection(hub.Database.ConnectionString);
        await older.OpenAsync(Ct);
        await using var transaction = await older.BeginTransactionAsync(Ct);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO alerts (match_id, agency_code, audience, kind, status, fingerprint, raised_at) "
            + "SELECT match_id, agency_code, audience, kind, 'Open', fingerprint || ':held', now() FROM alerts WHERE id = @id", older, transaction))
        {
            insert.Parameters.AddWithValue("id", first.Id);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync(Ct));
        }
        var number = $"+1832555{Random.Shared.Next(1000, 9999)}";
        await a.PublishAsync(Records.Phone("T-2", null, number, new DateOnly(2026, 1, 1)));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-2");
        await b.PublishAsync(Records.Phone("T-8", null, number, new DateOnly(2026, 2, 1)));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-8");
        // (Escalations, raised if nobody acknowledges in time, are counted apart.)
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).Count(x => x.Alert.Kind != AlertKind.Escalated) == 4,
            "the second match's alerts raised", cancellationToken: Ct);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        Assert.Equal(2, (await DeliveryOfAsync(a.Code, b.Code)).Count(x => x.Delivered && x.Alert.Kind != AlertKind.Escalated));

        await transaction.CommitAsync(Ct);
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).All(x => x.Delivered),
            "every alert delivered once the older transaction committed", cancellationToken: Ct);
        var published = (await hub.TakeAllAsync(a.Code)).Concat(await hub.TakeAllAsync(b.Code)).Select(t => t.MessageId).ToList();
        var raised = (await DeliveryOfAsync(a.Code, b.Code)).Where(x => x.Alert.Kind != AlertKind.Escalated)
            .Select(x => (string?)x.Alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5, raised.Count);
        Assert.Equal(raised.Order(StringComparer.Ordinal), published.Where(raised.Contains).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Relay_GatewayStoppedBetweenCommitAndDelivery_DeliversExactlyOnceAfterRestart()
    {
        // The fixture's Gateway commits the alerts and never delivers them: as if it had died right after the commit.
        var (a, _, b, _) = await SharedPhoneAsync("R");
        await Eventually.UntilAsync(async () => (await AlertsOfAsync(a.Code)).Count == 1 && (await AlertsOfAsync(b.Code)).Count == 1,
            "both alerts committed", cancellationToken: Ct);
        Assert.All(await DeliveryOfAsync(a.Code), alert => Assert.False(alert.Delivered));
        Assert.True(await hub.QueuedAsync(a.Code) <= 0);

        // The Gateway comes back: it delivers what was committed.
        await using (var restarted = hub.StartRelayingGateway())
        {
            await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).All(x => x.Delivered),
                "both alerts delivered after the restart", cancellationToken: Ct);
        }
        // And once more: nothing is published twice.
        await using (var again = hub.StartRelayingGateway())
        {
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        }
        foreach (var agency in new[] { a, b })
        {
            var ids = (await hub.TakeAllAsync(agency.Code)).Select(t => t.MessageId).ToList();
            var delivered = (await DeliveryOfAsync(agency.Code)).Where(x => x.Delivered)
                .Select(x => (string?)x.Alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(delivered, ids);
            Assert.NotEmpty(ids);
        }
    }

    [Fact]
    public async Task Escalation_OneAlertAcknowledged_OnlyTheOtherEscalates()
    {
        var (a, _, b, _) = await SharedPhoneAsync("E");
        await Eventually.UntilAsync(async () => (await AlertsOfAsync(a.Code)).Count == 1 && (await AlertsOfAsync(b.Code)).Count == 1,
            "both alerts raised", cancellationToken: Ct);
        var acknowledged = Assert.Single(await AlertsOfAsync(a.Code));
        var ignored = Assert.Single(await AlertsOfAsync(b.Code));
        await using (var scope = hub.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AlertService>().AcknowledgeAsync(acknowledged.Id, "officer-a", Ct);
        }
        Assert.True(DateTimeOffset.UtcNow - acknowledged.RaisedAt < TimeSpan.FromSeconds(AlertDeliveryFixture.EscalateAfterSeconds),
            "the acknowledgement came after the escalation time: the test proves nothing on a machine this slow");

        // The unacknowledged one escalates to its agency's supervisors.
        await Eventually.UntilAsync(async () => (await AlertsOfAsync(b.Code)).Any(x => x.Kind == AlertKind.Escalated), "the ignored alert to escalate", cancellationToken: Ct);
        var escalation = Assert.Single(await AlertsOfAsync(b.Code), x => x.Kind == AlertKind.Escalated);
        Assert.Equal((ignored.Id, AlertAudience.Supervisors), (escalation.RelatesToId, escalation.Audience));
        // Give the acknowledged one its chance to escalate too: it does not.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var after = Assert.Single(await AlertsOfAsync(a.Code));
        Assert.Equal((AlertStatus.Acknowledged, (DateTimeOffset?)null), (after.Status, after.EscalatedAt));
    }

    [Fact]
    public async Task Metrics_CrossAgencyMatchRelayed_RaisedDeliveredAndLatencyMeasured()
    {
        await using var relay = hub.StartRelayingGateway();
        // Only the instruments of this fixture's two Gateways: other test classes' hosts share the meter's name.
        object[] scopes = [hub.App.Services.GetRequiredService<IMeterFactory>(), relay.Services.GetRequiredService<IMeterFactory>()];
        var measured = new System.Collections.Concurrent.ConcurrentQueue<(string Name, double Value, string? Tag)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ServiceDefaults.Telemetry.MeterName && scopes.Contains(instrument.Meter.Scope)
                    && instrument.Name.StartsWith("sharinghub.alerts.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        static string? TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key is "kind" or "channel")
                {
                    return tag.Value as string;
                }
            }
            return null;
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Enqueue((instrument.Name, value, TagOf(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Enqueue((instrument.Name, value, TagOf(tags))));
        listener.Start();

        var (a, _, b, _) = await SharedPhoneAsync("M");
        await Eventually.UntilAsync(async () => (await DeliveryOfAsync(a.Code, b.Code)).Count(x => x.Delivered) == 2,
            "both alerts delivered", cancellationToken: Ct);
        double Sum(string name, string? tag) => measured.Where(m => m.Name == name && m.Tag == tag).Sum(m => m.Value);
        // The relay counts after its commit: the database may show the delivery a moment before the counter does.
        await Eventually.UntilAsync(() => Sum("sharinghub.alerts.delivered", "queue") >= 2, "the queue deliveries counted", cancellationToken: Ct);

        Assert.Equal(2, Sum("sharinghub.alerts.raised", nameof(AlertKind.Deconfliction)));
        Assert.True(measured.Count(m => m.Name == "sharinghub.alerts.arrival_to_delivered") >= 2,
            string.Join("; ", measured.Select(m => $"{m.Name}[{m.Tag}]={m.Value}")));
        Assert.All(measured.Where(m => m.Name == "sharinghub.alerts.arrival_to_delivered"), m => Assert.InRange(m.Value, 0, 60_000));
    }

    [Fact]
    public async Task Drain_FileSinkThroughTheCli_EachAlertOneJsonLineThenNothingTwice()
    {
        await using var relay = hub.StartRelayingGateway();
        var (a, password, _, _) = await SharedPhoneAsync("F");
        await Eventually.UntilAsync(async () => await hub.QueuedAsync(a.Code) >= 1, "the alert on the queue", cancellationToken: Ct);
        var folder = Directory.CreateTempSubdirectory("alerts-drain-");
        try
        {
            var passwordFile = Path.Combine(folder.FullName, "password");
            await File.WriteAllTextAsync(passwordFile, password, Ct);
            var sink = Path.Combine(folder.FullName, "alerts.jsonl");
            string[] args = ["alerts", "--agency", a.Code, "--sink", $"file:{sink}", "--once", "--broker", BrokerUri(),
                "--password-file", passwordFile, "--state-dir", Path.Combine(folder.FullName, "state")];

            var (exit, output) = await ConnectorProcess.RunAsync(args);
            Assert.True(exit == 0, output);
            var lines = (await File.ReadAllLinesAsync(sink, Ct)).Select(l => JsonSerializer.Deserialize<AlertRaised>(l, JsonSerializerOptions.Web)!).ToList();
            var match = Assert.Single(await AlertsOfAsync(a.Code), x => x.Kind == AlertKind.Deconfliction);
            Assert.Equal(match.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(lines, l => l.Kind == "deconfliction").AlertId);
            Assert.Equal(lines.Count, lines.Select(l => l.AlertId).Distinct().Count());

            // Run again: the queue holds nothing it took, so nothing is written twice.
            var second = await ConnectorProcess.RunAsync(args);
            Assert.True(second.ExitCode == 0, second.Output);
            var again = (await File.ReadAllLinesAsync(sink, Ct)).Select(l => JsonSerializer.Deserialize<AlertRaised>(l, JsonSerializerOptions.Web)!.AlertId).ToList();
            Assert.Equal(again.Count, again.Distinct().Count());

            // A bad sink is refused with one line, no stack trace.
            var refused = await ConnectorProcess.RunAsync(["alerts", "--agency", a.Code, "--sink", "ftp:nowhere", "--once", "--broker", BrokerUri(),
                "--password-file", passwordFile]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("--sink must be file:PATH", refused.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused.Output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Drain_WebhookDownForAWhile_NothingLostNothingDoubledInOrder()
    {
        var (agency, password) = await hub.AddAgencyWithPasswordAsync("W");
        // Alerts as the relay publishes them, one of them twice (a relay that died before marking it delivered).
        await using (var gateway = await new ConnectionFactory { Uri = hub.VirtualHost.GatewayAmqpUri }.CreateConnectionAsync(Ct))
        await using (var channel = await gateway.CreateChannelAsync(new CreateChannelOptions(true, true), Ct))
        {
            await AlertQueueTopology.DeclareSharedAsync(channel, Ct);
            await AlertQueueTopology.DeclareAgencyAsync(channel, agency.Code, Ct);
            foreach (var id in new[] { "w1", "w2", "w2", "w3" })
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new AlertRaised
                {
                    AlertId = id, Agency = agency.Code, Audience = "officers", Kind = "deconfliction", RaisedAt = DateTimeOffset.UtcNow, Summary = "test",
                }, JsonSerializerOptions.Web);
                await channel.BasicPublishAsync(AlertQueueTopology.Exchange, agency.Code, true, new BasicProperties { MessageId = id }, body, Ct);
            }
        }

        var port = GatewayApp.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/hook/");
        var state = Directory.CreateTempSubdirectory("alerts-webhook-");
        await using var sink = AlertSinks.Parse($"webhook:{url}", state.FullName);
        var drain = new AlertDrain(sink, new AlertDrainOptions
        {
            Broker = new BrokerSettings(new UriBuilder(hub.VirtualHost.AmqpUri) { UserName = "", Password = "" }.Uri, agency.Code, password),
            StateDirectory = state.FullName,
            Poll = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        }, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = drain.RunAsync(stop.Token);
        try
        {
            // The webhook is down (nothing listens): the drain keeps the first alert and waits.
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            Assert.Equal(0, drain.Delivered);
            Assert.False(running.IsCompleted);

            using var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            listener.Start();
            var received = new List<string>();
            var answered = 0;
            while (received.Count < 3)
            {
                var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(60), Ct);
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var alert = JsonSerializer.Deserialize<AlertRaised>(await reader.ReadToEndAsync(Ct), JsonSerializerOptions.Web)!;
                Assert.Equal(alert.AlertId, context.Request.Headers["Idempotency-Key"]);
                // Just back, still failing once: a 503 is retried too.
                context.Response.StatusCode = answered++ == 0 ? 503 : 200;
                if (context.Response.StatusCode == 200)
                {
                    // Said at once, rather than as the drain's duplicate count never reaching 1: an alert handed over twice.
                    Assert.DoesNotContain(alert.AlertId, received);
                    received.Add(alert.AlertId);
                }
                context.Response.Close();
            }
            await Eventually.UntilAsync(async () => await hub.QueuedAsync(agency.Code) == 0 && drain.Duplicates == 1, "the queue drained", cancellationToken: Ct);
            // Nothing more arrives.
            var extra = listener.GetContextAsync();
            Assert.NotSame(extra, await Task.WhenAny(extra, Task.Delay(TimeSpan.FromSeconds(1.5), Ct)));
            Assert.Equal(["w1", "w2", "w3"], received);
            Assert.Equal(3, drain.Delivered);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            state.Delete(recursive: true);
        }
    }

    private string BrokerUri() => new UriBuilder(hub.VirtualHost.AmqpUri) { UserName = "", Password = "" }.Uri.ToString();
}
