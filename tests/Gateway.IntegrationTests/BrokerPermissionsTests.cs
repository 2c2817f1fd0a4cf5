using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using SharingHub.Connectors.Publishing;
using SharingHub.Gateway.Alerts;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Least privilege on the broker, read from the live broker: the users, tags and permission patterns that
/// <c>./hub infra</c> and the provisioner set are those docs/security.md lists, and the Gateway's user is
/// refused what lies outside its patterns.
/// </summary>
public sealed partial class BrokerPermissionsTests(HubInfrastructureFixture fixture) : IClassFixture<HubInfrastructureFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LiveBroker_UsersTagsAndPermissions_MatchTheTableInDocsSecurity()
    {
        var table = DocumentedUsers();
        var infrastructure = fixture.Infrastructure;
        var agencyRow = Assert.Single(table, row => row.User is null);
        var code = $"BP{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        // An agency user as the provisioner makes one: the one definition it applies (AgencyBrokerTopology; the
        // provisioner applying it is AgencyProvisioningTests').
        var management = fixture.VirtualHost.Management;
        using (var created = await management.PutAsJsonAsync($"api/users/{code}", new { password = Guid.NewGuid().ToString("N"), tags = "" }, Ct))
        {
            created.EnsureSuccessStatusCode();
        }
        using (var permitted = await management.PutAsJsonAsync($"api/permissions/%2F/{code}", new
        {
            configure = AgencyBrokerTopology.ConfigurePermission,
            write = AgencyBrokerTopology.WritePermission,
            read = AgencyBrokerTopology.ReadPermission(code),
        }, Ct))
        {
            permitted.EnsureSuccessStatusCode();
        }
        try
        {
            foreach (var (user, row) in new[]
            {
                (infrastructure.RabbitMqAdminUser, table.Single(r => r.User == infrastructure.RabbitMqAdminUser)),
                (infrastructure.RabbitMqGatewayUser, table.Single(r => r.User == infrastructure.RabbitMqGatewayUser)),
                (code, agencyRow),
            })
            {
                Assert.Equal(ForUser(row, user), await LiveAsync(user));
            }

            // Nobody else has permissions on the hub's virtual host, unless documented (agencies are all alike).
            var everyone = await fixture.VirtualHost.Management.GetFromJsonAsync<JsonElement[]>("api/permissions", Ct);
            foreach (var permission in everyone!.Where(p => p.GetProperty("vhost").GetString() == "/"))
            {
                var user = permission.GetProperty("user").GetString()!;
                var documented = table.SingleOrDefault(r => r.User == user) ?? agencyRow;
                Assert.Equal(ForUser(documented, user), await LiveAsync(user));
            }
        }
        finally
        {
            using var _ = await management.DeleteAsync($"api/users/{code}", Ct);
        }
    }

    [Fact]
    public async Task GatewayUser_ActionsOutsideItsPatterns_Refused()
    {
        var virtualHost = fixture.VirtualHost;
        await using var admin = await new ConnectionFactory { Uri = virtualHost.AmqpUri }.CreateConnectionAsync(Ct);
        await using (var setup = await admin.CreateChannelAsync(cancellationToken: Ct))
        {
            await setup.ExchangeDeclareAsync(RecordPublisher.BatchExchange, ExchangeType.Fanout, durable: true, cancellationToken: Ct);
        }
        await using var gateway = await new ConnectionFactory { Uri = virtualHost.GatewayAmqpUri }.CreateConnectionAsync(Ct);

        // Inside its patterns it works: the refusals below are its permissions, not a broken login.
        await using (var allowed = await gateway.CreateChannelAsync(PublisherConfirms, Ct))
        {
            await allowed.ExchangeDeclareAsync(ErrorQueue.Name, ExchangeType.Fanout, durable: true, cancellationToken: Ct);
            await allowed.BasicPublishAsync(ErrorQueue.Name, "", false, new BasicProperties(), "{}"u8.ToArray(), Ct);
        }

        // Configure outside its names: an exchange shaped like another agency's.
        await AssertRefusedAsync(gateway, 403, channel =>
            channel.ExchangeDeclareAsync($"sharinghub-alerts-{Guid.NewGuid():N}", ExchangeType.Fanout, durable: true, cancellationToken: Ct));
        await AssertRefusedAsync(gateway, 403, channel =>
            channel.QueueDeclareAsync($"elsewhere-{Guid.NewGuid():N}", durable: false, exclusive: false, autoDelete: true, cancellationToken: Ct));
        // Write to the agencies' record exchange: the Gateway cannot forge an agency's records.
        await AssertRefusedAsync(gateway, 403, channel =>
            channel.BasicPublishAsync(RecordPublisher.BatchExchange, "", false, new BasicProperties(), "{}"u8.ToArray(), Ct).AsTask());
        // Publish as an agency (no impersonator tag), even to its own error queue.
        await AssertRefusedAsync(gateway, 406, channel =>
            channel.BasicPublishAsync(ErrorQueue.Name, "", false, new BasicProperties { UserId = "TX0010100" }, "{}"u8.ToArray(), Ct).AsTask());

        // No management tag: the management API refuses it.
        using var management = new HttpClient { BaseAddress = fixture.Infrastructure.RabbitMqManagementUri };
        var gatewayUri = virtualHost.GatewayAmqpUri;
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(gatewayUri.UserInfo))));
        using var overview = await management.GetAsync("api/overview", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, overview.StatusCode);
    }

    [Fact]
    public async Task AgencyUser_AnotherAgencysAlertQueue_Refused()
    {
        var virtualHost = fixture.VirtualHost;
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var (mine, theirs) = ($"AQA{suffix}", $"AQB{suffix}");
        var myPassword = await virtualHost.AddAgencyUserAsync(mine, Ct);
        await virtualHost.AddAgencyUserAsync(theirs, Ct);

        // The Gateway's user declares the alert topology, as the relay does, and publishes one alert to each agency.
        await using (var gateway = await new ConnectionFactory { Uri = virtualHost.GatewayAmqpUri }.CreateConnectionAsync(Ct))
        await using (var relay = await gateway.CreateChannelAsync(PublisherConfirms, Ct))
        {
            await AlertQueueTopology.DeclareSharedAsync(relay, Ct);
            foreach (var code in new[] { mine, theirs })
            {
                await AlertQueueTopology.DeclareAgencyAsync(relay, code, Ct);
                await relay.BasicPublishAsync(AlertQueueTopology.Exchange, code, true, new BasicProperties { MessageId = code }, "{}"u8.ToArray(), Ct);
            }
            // The Gateway publishes alerts but may not read them back from an agency's queue.
            await AssertRefusedAsync(gateway, 403, channel => channel.BasicGetAsync(AlertQueueTopology.QueueOf(mine), false, Ct));
        }

        var agencyUri = new UriBuilder(virtualHost.AmqpUri) { UserName = "", Password = "" }.Uri;
        await using var agency = await new ConnectionFactory { Uri = agencyUri, UserName = mine, Password = myPassword }.CreateConnectionAsync(Ct);
        // Its own queue: read, as the drain does.
        await using (var own = await agency.CreateChannelAsync(cancellationToken: Ct))
        {
            var got = await own.BasicGetAsync(AlertQueueTopology.QueueOf(mine), true, Ct);
            Assert.Equal(mine, got?.BasicProperties.MessageId);
        }
        // Another agency's queue: refused, whether consumed or fetched.
        await AssertRefusedAsync(agency, 403, channel => channel.BasicGetAsync(AlertQueueTopology.QueueOf(theirs), false, Ct));
        await AssertRefusedAsync(agency, 403, channel =>
            channel.BasicConsumeAsync(AlertQueueTopology.QueueOf(theirs), false, new AsyncEventingBasicConsumer(channel), Ct));
        // Nothing to configure, not even its own queue, and no write to the alerts exchange (it cannot forge an alert).
        await AssertRefusedAsync(agency, 403, channel => channel.QueueDeclareAsync(AlertQueueTopology.QueueOf(mine), durable: true,
            exclusive: false, autoDelete: false, arguments: AlertQueueTopology.QueueArguments, cancellationToken: Ct));
        // (queue.purge is a read in RabbitMQ's model: an agency may empty its own alert queue, which the hub's alerts
        // table, the source of truth, survives; it cannot touch another's.)
        await AssertRefusedAsync(agency, 403, channel =>
            channel.BasicPublishAsync(AlertQueueTopology.Exchange, theirs, false, new BasicProperties(), "{}"u8.ToArray(), Ct).AsTask());
        // The other agency's alert is still there, untouched.
        await using var admin = await new ConnectionFactory { Uri = virtualHost.AmqpUri }.CreateConnectionAsync(Ct);
        await using var check = await admin.CreateChannelAsync(cancellationToken: Ct);
        Assert.Equal(1u, await check.MessageCountAsync(AlertQueueTopology.QueueOf(theirs), Ct));
    }

    /// <summary>A documented row for <paramref name="user"/>: the agency row's <c>&lt;CODE&gt;</c> is the agency's code.</summary>
    private static BrokerUser ForUser(BrokerUser row, string user) => new(user, row.Tags,
        row.Configure.Replace("<CODE>", user, StringComparison.Ordinal), row.Write.Replace("<CODE>", user, StringComparison.Ordinal),
        row.Read.Replace("<CODE>", user, StringComparison.Ordinal));

    private static readonly CreateChannelOptions PublisherConfirms = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    /// <summary>The action fails and the broker closes the channel with <paramref name="replyCode"/>.</summary>
    private static async Task AssertRefusedAsync(IConnection connection, ushort replyCode, Func<IChannel, Task> action)
    {
        await using var channel = await connection.CreateChannelAsync(PublisherConfirms, Ct);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => action(channel));
        var closed = refused as OperationInterruptedException ?? refused.InnerException as OperationInterruptedException;
        Assert.Equal(replyCode, closed?.ShutdownReason?.ReplyCode ?? channel.CloseReason?.ReplyCode);
    }

    /// <summary>A user as the live broker has it on the hub's virtual host.</summary>
    private async Task<BrokerUser> LiveAsync(string user)
    {
        var management = fixture.VirtualHost.Management;
        var name = Uri.EscapeDataString(user);
        var account = await management.GetFromJsonAsync<JsonElement>($"api/users/{name}", Ct);
        var tags = account.GetProperty("tags") switch
        {
            { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(t => t.GetString()!),
            var text => text.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        var permissions = await management.GetFromJsonAsync<JsonElement>($"api/permissions/%2F/{name}", Ct);
        return new BrokerUser(user, string.Join(",", tags.Order(StringComparer.Ordinal)),
            permissions.GetProperty("configure").GetString()!, permissions.GetProperty("write").GetString()!,
            permissions.GetProperty("read").GetString()!);
    }

    /// <summary>The rows of the table under "Broker users and permissions" in docs/security.md.</summary>
    private static List<BrokerUser> DocumentedUsers()
    {
        var lines = File.ReadAllLines(Path.Combine(HubCommand.Root.FullName, "docs", "security.md"));
        var section = lines.SkipWhile(l => l != "## Broker users and permissions").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        var rows = section.Where(l => l.StartsWith('|')).Skip(2).Select(row =>
        {
            // GitHub tables escape a pipe inside a cell as \|.
            var cells = CellSeparator().Split(row.Trim().Trim('|')).Select(c => c.Trim().Replace(@"\|", "|", StringComparison.Ordinal)).ToArray();
            var user = cells[0].StartsWith('`') ? Code(cells[0]) : null;
            var tags = cells[1] == "none" ? "" : string.Join(",", CodeSpan().Matches(cells[1]).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
            return new BrokerUser(user, tags, Code(cells[2]), Code(cells[3]), Code(cells[4]));
        }).ToList();
        Assert.True(rows.Count >= 3, "docs/security.md: the broker users table is missing or incomplete");
        return rows;
    }

    private static string Code(string cell) => cell.StartsWith('`') && cell.EndsWith('`') && cell.Length > 1
        ? cell[1..^1]
        : CodeSpan().Match(cell) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"docs/security.md: no `code` in cell '{cell}'");

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    /// <summary>A broker user (null: any agency), its tags (sorted, comma-separated) and its permission patterns.</summary>
    private sealed record BrokerUser(string? User, string Tags, string Configure, string Write, string Read);
}
