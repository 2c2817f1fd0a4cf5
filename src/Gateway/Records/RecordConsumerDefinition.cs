using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SharingHub.Gateway.Records;

/// <summary>
/// The records queue: a quorum queue shared by every Gateway replica. Transient faults (the database unreachable
/// or timing out) are retried with back-off; everything else, <see cref="RecordRejectedException"/> included, goes
/// straight to the error queue so one bad message never blocks the queue.
/// </summary>
internal sealed class RecordConsumerDefinition : ConsumerDefinition<RecordConsumer>
{
    private readonly IngestionOptions _options;

    public RecordConsumerDefinition(IOptions<IngestionOptions> options)
    {
        _options = options.Value;
        EndpointName = _options.QueueName;
        ConcurrentMessageLimit = _options.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RecordConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // ErrorQueueTopology.QueueArguments must stay what this sets: the error queue is declared alike.
            rabbit.SetQuorumQueue();
            rabbit.PrefetchCount = _options.PrefetchCount;
        }
        endpointConfigurator.UseAgencyEnvelopeRules(context.GetRequiredService<ErrorQueueTopology>(), _options.MaxMessageBytes);
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<NpgsqlException>(ex => ex.IsTransient);
            retry.Handle<TimeoutException>();
            retry.Handle<InvalidOperationException>(ex => ex.InnerException is NpgsqlException { IsTransient: true } or TimeoutException);
            retry.Handle<DbUpdateException>(ex => ex.InnerException is NpgsqlException { IsTransient: true });
            retry.Exponential(_options.TransientRetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(400));
        });
    }
}
