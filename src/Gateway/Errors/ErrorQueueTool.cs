using System.Globalization;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Errors;

/// <summary>
/// The operator's side of the error queue: list, show, replay and purge (<c>./hub errors</c>). Messages are read
/// with unacknowledged gets and handed back when the channel closes, so looking changes nothing. Every action,
/// refused or done, is written to <c>audit_events</c> with the operator's name.
/// </summary>
internal sealed class ErrorQueueTool(
    HubDbContext db,
    IOptionsMonitor<ConnectionStringOptions> connectionStrings,
    IOptions<IngestionOptions> ingestion)
{
    private string ErrorQueue => $"{ingestion.Value.QueueName}_error";

    /// <summary>Writes every message's id, agency, cause, reasons and record keys; returns how many there were.</summary>
    public async Task<int> ListAsync(string actor, TextWriter output, CancellationToken cancellationToken)
    {
        var messages = await BrowseAsync(cancellationToken);
        foreach (var message in messages)
        {
            message.WriteTo(output, allRecords: false);
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{messages.Count} message(s) on {ErrorQueue}"));
        await AuditAsync(actor, AuditActions.ErrorsList, ErrorQueue, true, $"{messages.Count} message(s)", cancellationToken);
        return messages.Count;
    }

    /// <summary>Writes one message with all its record keys; false when no message has that id.</summary>
    public async Task<bool> ShowAsync(string actor, string id, TextWriter output, CancellationToken cancellationToken)
    {
        var message = (await BrowseAsync(cancellationToken)).FirstOrDefault(m => m.Id == id);
        message?.WriteTo(output, allRecords: true);
        await AuditAsync(actor, AuditActions.ErrorsShow, id, message is not null, message is null ? "no such message" : Summary(message), cancellationToken);
        return message is not null;
    }

    /// <summary>
    /// Sends one message back to the records queue as its original agency and takes it off the error queue once
    /// the broker has confirmed the copy. The agency is the message's own (its AMQP <c>user_id</c>, or the hub's
    /// agency header on records it set aside), never one the operator names, and it goes back as <c>user_id</c>,
    /// which RabbitMQ lets only an <c>impersonator</c> set: replay runs with the administration credential.
    /// </summary>
    public async Task<ReplayOutcome> ReplayAsync(string actor, string id, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var outcome = ReplayOutcome.NotFound;
        string detail = "no such message";
        var remaining = await CountAsync(channel, cancellationToken);
        for (var i = 0; i < remaining; i++)
        {
            if (await channel.BasicGetAsync(ErrorQueue, autoAck: false, cancellationToken) is not { } got)
            {
                break;
            }
            var message = ErrorMessage.From(got.BasicProperties, got.Body);
            if (message.Id != id)
            {
                continue;
            }
            if (message.Agency is null)
            {
                outcome = ReplayOutcome.NoAgency;
                detail = "the message names no agency; it stays on the error queue";
                break;
            }
            var properties = new BasicProperties(got.BasicProperties)
            {
                UserId = message.Agency,
                Headers = got.BasicProperties.Headers?
                    .Where(h => !IsFailureHeader(h.Key))
                    .ToDictionary(h => h.Key, h => h.Value),
                Persistent = true,
            };
            try
            {
                await channel.BasicPublishAsync("", ingestion.Value.QueueName, mandatory: true, properties, got.Body, cancellationToken);
            }
            catch (Exception ex) when (ex is OperationInterruptedException or PublishException or AlreadyClosedException)
            {
                await AuditAsync(actor, AuditActions.ErrorsReplay, id, false, $"the broker refused the copy: {ex.Message}", cancellationToken);
                throw new ErrorQueueException(
                    $"the broker refused to send the message as {message.Agency} ({ex.Message}); replay needs the administration credential (a user with the impersonator tag)", ex);
            }
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
            outcome = ReplayOutcome.Replayed;
            detail = $"sent back to {ingestion.Value.QueueName} as {message.Agency}; {Summary(message)}";
            break;
        }
        await AuditAsync(actor, AuditActions.ErrorsReplay, id, outcome == ReplayOutcome.Replayed, detail, cancellationToken);
        return outcome;
    }

    /// <summary>Empties the error queue; returns how many messages it dropped.</summary>
    public async Task<uint> PurgeAsync(string actor, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        uint purged;
        try
        {
            purged = await channel.QueuePurgeAsync(ErrorQueue, cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            purged = 0;
        }
        await AuditAsync(actor, AuditActions.ErrorsPurge, ErrorQueue, true, $"{purged} message(s) purged", cancellationToken);
        return purged;
    }

    private async Task<List<ErrorMessage>> BrowseAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var messages = new List<ErrorMessage>();
        // Nothing is acknowledged: closing the channel hands every message back to the queue.
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            var count = await CountAsync(channel, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                if (await channel.BasicGetAsync(ErrorQueue, autoAck: false, cancellationToken) is not { } got)
                {
                    break;
                }
                messages.Add(ErrorMessage.From(got.BasicProperties, got.Body));
            }
        }
        return messages;
    }

    private async Task<uint> CountAsync(IChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            return (await channel.QueueDeclarePassiveAsync(ErrorQueue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            throw new ErrorQueueException($"there is no queue {ErrorQueue} yet (nothing has failed since the broker was set up)", ex);
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(connectionStrings.Get(Extensions.BrokerConnectionName).Value),
            ClientProvidedName = "sharinghub-errors",
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new ErrorQueueException($"cannot reach the broker: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    // The failure's own headers stay behind: the replayed copy is a fresh delivery, not a fault.
    private static bool IsFailureHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.Ordinal) || name is "MT-Reason" or "x-death" or "x-first-death-exchange"
            or "x-first-death-queue" or "x-first-death-reason" or "x-last-death-exchange" or "x-last-death-queue" or "x-last-death-reason"
            or "x-delivery-count" || name == RecordConsumer.ReasonHeader || name == RecordConsumer.AgencyHeader;

    private static string Summary(ErrorMessage message) => string.Create(CultureInfo.InvariantCulture,
        $"agency {message.Agency ?? "(none)"}, {message.Cause}, {message.TotalRecords} record(s)");

    private async Task AuditAsync(string actor, string action, string target, bool succeeded, string detail, CancellationToken cancellationToken)
    {
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = DateTimeOffset.UtcNow,
            Actor = actor,
            Action = action,
            Target = target.Length > 300 ? target[..300] : target,
            Succeeded = succeeded,
            Detail = detail.Length > 4000 ? detail[..4000] : detail,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>How a replay ended.</summary>
internal enum ReplayOutcome
{
    Replayed,
    NotFound,
    NoAgency,
}

/// <summary>The error queue cannot be used as asked; the message says why, for the operator.</summary>
internal sealed class ErrorQueueException(string message, Exception? inner = null) : Exception(message, inner);
