using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace SharingHub.Gateway.Records;

/// <summary>
/// What the Gateway takes from an agency's message envelope: the message, never an address. MassTransit sends a
/// fault (or a response) to the envelope's <c>faultAddress</c> or <c>responseAddress</c>, as the Gateway's broker
/// user; an agency could thus make the hub write where the agency itself may not. Here the envelope is read with
/// every address removed, fault events are not published, and a message the hub cannot handle goes to the hub's own
/// error queue only (<see cref="ErrorQueueMove"/>).
/// </summary>
internal static class AgencyEnvelope
{
    /// <summary>
    /// Applies these rules to the receive endpoint of agency messages; a body over <paramref name="maxMessageBytes"/>
    /// is refused before it is read (<see cref="SizeLimitedDeserializer"/>).
    /// </summary>
    public static void UseAgencyEnvelopeRules(this IReceiveEndpointConfigurator endpoint, ErrorQueueTopology errorQueue, long maxMessageBytes)
    {
        // Only the MassTransit JSON envelope, size-checked, then read without its addresses; any other content type is an error.
        endpoint.ClearSerialization();
        var serialization = new AddressFreeSerializerFactory(maxMessageBytes);
        endpoint.AddSerializer(serialization);
        endpoint.AddDeserializer(serialization, isDefault: true);
        // Nobody consumes Fault<T> events; publishing them would need exchanges outside the hub's own.
        endpoint.PublishFaults = false;
        endpoint.ConfigureError(error =>
        {
            // GenerateFaultFilter tells the receive observers; with no fault address left it sends nothing.
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorQueueMove.FaultFilter(errorQueue));
        });
        // A message type nobody consumes goes to the same error queue (not to a _skipped queue of its own).
        endpoint.ConfigureDeadLetter(deadLetter => deadLetter.UseFilter(new ErrorQueueMove.SkippedFilter(errorQueue)));
    }

    private sealed class AddressFreeSerializerFactory(long maxMessageBytes) : ISerializerFactory
    {
        private readonly AddressFreeDeserializer _deserializer =
            new(new SizeLimitedDeserializer(SystemTextJsonMessageSerializer.Instance, maxMessageBytes));

        public ContentType ContentType => SystemTextJsonMessageSerializer.JsonContentType;

        public IMessageSerializer CreateSerializer() => SystemTextJsonMessageSerializer.Instance;

        public IMessageDeserializer CreateDeserializer() => _deserializer;
    }

    private sealed class AddressFreeDeserializer(IMessageDeserializer inner) : IMessageDeserializer
    {
        public ContentType ContentType => inner.ContentType;

        public void Probe(ProbeContext context) => inner.Probe(context);

        public ConsumeContext Deserialize(ReceiveContext receiveContext)
        {
            ArgumentNullException.ThrowIfNull(receiveContext);
            return new BodyConsumeContext(receiveContext,
                Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));
        }

        public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
            new AddressFreeSerializerContext(inner.Deserialize(body, headers, destinationAddress));

        public MessageBody GetMessageBody(string text) => inner.GetMessageBody(text);
    }

    /// <summary>The envelope as read, minus its four addresses.</summary>
    private sealed class AddressFreeSerializerContext(SerializerContext inner) : SerializerContext
    {
        public Guid? MessageId => inner.MessageId;
        public Guid? RequestId => inner.RequestId;
        public Guid? CorrelationId => inner.CorrelationId;
        public Guid? ConversationId => inner.ConversationId;
        public Guid? InitiatorId => inner.InitiatorId;
        public DateTime? ExpirationTime => inner.ExpirationTime;
        public Uri? SourceAddress => null;
        public Uri? DestinationAddress => null;
        public Uri? ResponseAddress => null;
        public Uri? FaultAddress => null;
        public DateTime? SentTime => inner.SentTime;
        public Headers Headers => inner.Headers;
        public HostInfo Host => inner.Host;
        public string[] SupportedMessageTypes => inner.SupportedMessageTypes;

        public bool IsSupportedMessageType<T>() where T : class => inner.IsSupportedMessageType<T>();

        public bool IsSupportedMessageType(Type messageType) => inner.IsSupportedMessageType(messageType);

        public bool TryGetMessage<T>(out T? message) where T : class => inner.TryGetMessage(out message);

        public bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message) => inner.TryGetMessage(messageType, out message);

        public IMessageSerializer GetMessageSerializer() => inner.GetMessageSerializer();

        public IMessageSerializer GetMessageSerializer<T>(MessageEnvelope envelope, T message) where T : class =>
            inner.GetMessageSerializer(envelope, message);

        public IMessageSerializer GetMessageSerializer(object message, string[] messageTypes) => inner.GetMessageSerializer(message, messageTypes);

        public Dictionary<string, object> ToDictionary<T>(T? message) where T : class => inner.ToDictionary(message);

        public T? DeserializeObject<T>(object? value, T? defaultValue = null) where T : class => inner.DeserializeObject(value, defaultValue);

        public T? DeserializeObject<T>(object? value, T? defaultValue = null) where T : struct => inner.DeserializeObject(value, defaultValue);

        public MessageBody SerializeObject(object? value) => inner.SerializeObject(value);
    }
}
