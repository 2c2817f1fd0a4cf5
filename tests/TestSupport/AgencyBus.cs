using MassTransit;
using SharingHub.Contracts.V1;

namespace SharingHub.TestSupport;

/// <summary>
/// An agency's publisher: a MassTransit bus as the agency's own broker user (<see cref="TestVirtualHost.AddAgencyUserAsync"/>),
/// publishing as the connector does: <c>user_id</c> set, mandatory, publisher confirms.
/// </summary>
public sealed class AgencyBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private AgencyBus(string code, IBusControl bus)
    {
        Code = code;
        _bus = bus;
    }

    /// <summary>The agency's code, which is also its broker user.</summary>
    public string Code { get; }

    /// <summary>Starts a bus as broker user <paramref name="code"/> on the virtual host of <paramref name="vhost"/>.</summary>
    public static async Task<AgencyBus> StartAsync(string code, string password, Uri vhost)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new UriBuilder(vhost) { UserName = "", Password = "" }.Uri, h =>
            {
                h.Username(code);
                h.Password(password);
                h.PublisherConfirmation = true;
            });
            cfg.Publish<RecordBatchPublished>(p => p.Exclude = true);
        });
        await bus.StartAsync();
        return new AgencyBus(code, bus);
    }

    /// <summary>Publishes one batch holding <paramref name="records"/> (persons, phones, locations, withdrawals).</summary>
    public Task PublishAsync(params object[] records) => _bus.Publish(new RecordBatchPublished
    {
        Persons = [.. records.OfType<PersonRecordPublished>()],
        Phones = [.. records.OfType<PhoneRecordPublished>()],
        Locations = [.. records.OfType<LocationRecordPublished>()],
        Withdrawals = [.. records.OfType<RecordWithdrawn>()],
    }, context =>
    {
        context.Mandatory = true;
        context.TryGetPayload<RabbitMqSendContext>(out var rabbit);
        rabbit!.BasicProperties.UserId = Code;
    });

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
