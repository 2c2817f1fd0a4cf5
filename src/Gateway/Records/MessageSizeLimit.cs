using System.Globalization;
using System.Net.Mime;
using MassTransit;

namespace SharingHub.Gateway.Records;

/// <summary>
/// A deserializer behind a size check: a body larger than <see cref="IngestionOptions.MaxMessageBytes"/> is refused
/// before a byte of it is parsed. The refusal is thrown inside MassTransit's rescue pipe, so the message goes to the
/// error queue with the reason in <c>MT-Fault-Message</c>, like any other rejected message, and is never deserialized.
/// The records endpoint reads agency envelopes through it (<see cref="AgencyEnvelope"/>).
/// </summary>
internal sealed class SizeLimitedDeserializer(IMessageDeserializer inner, long maxBytes) : IMessageDeserializer
{
    public ContentType ContentType => inner.ContentType;

    public void Probe(ProbeContext context) => inner.Probe(context);

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        ArgumentNullException.ThrowIfNull(receiveContext);
        Check(receiveContext.Body);
        return inner.Deserialize(receiveContext);
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        Check(body);
        return inner.Deserialize(body, headers, destinationAddress);
    }

    public MessageBody GetMessageBody(string text) => inner.GetMessageBody(text);

    private void Check(MessageBody body)
    {
        var length = body.Length ?? body.GetBytes().LongLength;
        if (length > maxBytes)
        {
            throw new RecordRejectedException(string.Create(CultureInfo.InvariantCulture,
                $"the message is {length} bytes; the hub accepts at most {maxBytes} (Ingestion:MaxMessageBytes); it was not read"),
                "message_too_large");
        }
    }
}
