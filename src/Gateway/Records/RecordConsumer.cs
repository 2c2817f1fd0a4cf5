using MassTransit;
using Microsoft.Extensions.Options;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;

namespace SharingHub.Gateway.Records;

/// <summary>
/// Stores the records agencies publish. The sending agency is the AMQP <c>user_id</c>, which RabbitMQ has checked
/// against the connection's user; it is never read from the body. One message is one transaction: its valid
/// records are upserted set-based, the <see cref="IStoredRecordsHandler"/>s run, and invalid records are set aside
/// on the error queue with their reasons while the rest of the batch is stored.
/// </summary>
internal sealed partial class RecordConsumer(
    RecordStore store,
    MatchBacklog matchBacklog,
    IngestionMetrics metrics,
    ErrorQueueTopology errorQueue,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<RecordConsumer> logger) :
    IConsumer<RecordBatchPublished>,
    IConsumer<PersonRecordPublished>,
    IConsumer<PhoneRecordPublished>,
    IConsumer<LocationRecordPublished>,
    IConsumer<RecordWithdrawn>
{
    /// <summary>
    /// Header of a set-aside record batch: the reasons, one per line (MassTransit's own fault header), each
    /// <c>kind localId: field: code: message</c> as <see cref="RecordValidator"/> writes it.
    /// </summary>
    public const string ReasonHeader = "MT-Fault-Message";

    /// <summary>Header of a set-aside record batch: the sending agency.</summary>
    public const string AgencyHeader = "SharingHub-Agency";

    public Task Consume(ConsumeContext<RecordBatchPublished> context) => HandleAsync(context, context.Message);

    public Task Consume(ConsumeContext<PersonRecordPublished> context) =>
        HandleAsync(context, new RecordBatchPublished { Persons = [context.Message] });

    public Task Consume(ConsumeContext<PhoneRecordPublished> context) =>
        HandleAsync(context, new RecordBatchPublished { Phones = [context.Message] });

    public Task Consume(ConsumeContext<LocationRecordPublished> context) =>
        HandleAsync(context, new RecordBatchPublished { Locations = [context.Message] });

    public Task Consume(ConsumeContext<RecordWithdrawn> context) =>
        HandleAsync(context, new RecordBatchPublished { Withdrawals = [context.Message] });

    private async Task HandleAsync(ConsumeContext context, RecordBatchPublished batch)
    {
        var cancellationToken = context.CancellationToken;
        var agency = SendingAgency(context);
        var persons = batch.Persons ?? [];
        var phones = batch.Phones ?? [];
        var locations = batch.Locations ?? [];
        var withdrawals = batch.Withdrawals ?? [];
        var total = persons.Count + phones.Count + locations.Count + withdrawals.Count;
        if (total > options.Value.MaxRecordsPerMessage)
        {
            throw Reject($"the message carries {total} records; at most {options.Value.MaxRecordsPerMessage} are accepted", "too_many_records", total);
        }

        var rejected = new List<string>();
        var invalid = new InvalidRecords();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var valid = new ValidRecords(
            Partition(persons, p => RecordValidator.Validate(p, today), rejected, invalid.Persons),
            Partition(phones, RecordValidator.Validate, rejected, invalid.Phones),
            Partition(locations, RecordValidator.Validate, rejected, invalid.Locations),
            Partition(withdrawals, RecordValidator.Validate, rejected, invalid.Withdrawals));

        // Back-pressure: while matching is far behind, this message waits unacknowledged and the broker keeps the rest.
        await matchBacklog.WaitForRoomAsync(cancellationToken);
        StoredRecordBatch stored;
        int unknownWithdrawals;
        try
        {
            (stored, unknownWithdrawals) = await store.StoreAsync(agency, context.MessageId, valid, cancellationToken);
        }
        catch (UnknownAgencyException ex)
        {
            throw Reject(ex.Message, "unknown_agency", total);
        }

        if (rejected.Count > 0)
        {
            await SetAsideAsync(context, agency, invalid, rejected);
        }

        foreach (var group in stored.Changes.GroupBy(c => c.Kind))
        {
            metrics.Stored(group.Key, group.Count());
        }
        metrics.Unchanged(stored.Unchanged);
        metrics.UnknownWithdrawals(unknownWithdrawals);
        Log.Stored(logger, agency, context.MessageId, stored.Changes.Count, stored.Unchanged, rejected.Count);
    }

    /// <summary>The agency is whoever RabbitMQ authenticated: the <c>user_id</c> it validated against the connection.</summary>
    private RecordRejectedException? MissingUserId(ConsumeContext context, out string agency)
    {
        agency = "";
        if (!context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit)
            || string.IsNullOrWhiteSpace(rabbit.Properties.UserId))
        {
            return Reject("the message has no AMQP user_id: the hub cannot tell which agency sent it", "missing_user_id", 0);
        }
        agency = rabbit.Properties.UserId;
        return null;
    }

    private string SendingAgency(ConsumeContext context)
    {
        var failure = MissingUserId(context, out var agency);
        return failure is null ? agency : throw failure;
    }

    private static List<T> Partition<T>(IReadOnlyList<T> records, Func<T?, string?> validate, List<string> reasons, List<T> invalid)
    {
        var valid = new List<T>(records.Count);
        foreach (var record in records)
        {
            var reason = validate(record);
            if (reason is null)
            {
                valid.Add(record);
            }
            else
            {
                reasons.Add(reason);
                invalid.Add(record);
            }
        }
        return valid;
    }

    /// <summary>Puts the invalid members of a batch on the error queue, with the reasons, for an operator to inspect.</summary>
    private async Task SetAsideAsync(ConsumeContext context, string agency, InvalidRecords invalid, List<string> reasons)
    {
        await errorQueue.EnsureAsync(context.ReceiveContext, context.CancellationToken);
        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{errorQueue.Name}"));
        await endpoint.Send(new RecordBatchPublished
        {
            Persons = invalid.Persons,
            Phones = invalid.Phones,
            Locations = invalid.Locations,
            Withdrawals = invalid.Withdrawals,
        }, send =>
        {
            send.Headers.Set(ReasonHeader, string.Join('\n', reasons));
            send.Headers.Set(AgencyHeader, agency);
            send.Headers.Set("MT-Reason", "rejected");
            // Unroutable is an error (the message is retried), never a silent drop.
            if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                rabbit.Mandatory = true;
            }
        }, context.CancellationToken);
        metrics.Rejected("invalid_record", reasons.Count);
        Log.SetAside(logger, agency, context.MessageId, reasons.Count);
    }

    private RecordRejectedException Reject(string reason, string metricReason, int records)
    {
        metrics.Rejected(metricReason, records);
        Log.Rejected(logger, metricReason);
        return new RecordRejectedException(reason, metricReason);
    }

    private sealed class InvalidRecords
    {
        public List<PersonRecordPublished> Persons { get; } = [];
        public List<PhoneRecordPublished> Phones { get; } = [];
        public List<LocationRecordPublished> Locations { get; } = [];
        public List<RecordWithdrawn> Withdrawals { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "agency {Agency} message {MessageId}: {Changed} records changed, {Unchanged} unchanged, {Rejected} set aside")]
        public static partial void Stored(ILogger logger, string agency, Guid? messageId, int changed, int unchanged, int rejected);

        [LoggerMessage(Level = LogLevel.Warning, Message = "agency {Agency} message {MessageId}: {Count} invalid records set aside on the error queue")]
        public static partial void SetAside(ILogger logger, string agency, Guid? messageId, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "message rejected to the error queue: {Reason}")]
        public static partial void Rejected(ILogger logger, string reason);
    }
}
