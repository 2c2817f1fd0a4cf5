using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// A raw graphql-transport-ws client for tests (<see cref="ClientWebSocket"/> against the Gateway's real port): sends
/// messages as they are written, and reads each message or the close the server sent.
/// </summary>
public sealed class GraphQLSocket : IAsyncDisposable
{
    /// <summary>The protocol's subprotocol.</summary>
    public const string SubProtocol = "graphql-transport-ws";

    private readonly ClientWebSocket _socket = new();

    private GraphQLSocket()
    {
    }

    /// <summary>The subprotocol the server chose (null: none).</summary>
    public string? ChosenSubProtocol => _socket.SubProtocol;

    /// <summary>Opens a socket to <paramref name="graphql"/> (http:// is turned into ws://), offering <paramref name="subProtocol"/>.</summary>
    public static async Task<GraphQLSocket> ConnectAsync(Uri graphql, string? subProtocol = SubProtocol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graphql);
        var socket = new GraphQLSocket();
        if (subProtocol is not null)
        {
            socket._socket.Options.AddSubProtocol(subProtocol);
        }
        var uri = new UriBuilder(graphql) { Scheme = graphql.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        await socket._socket.ConnectAsync(uri, cancellationToken);
        return socket;
    }

    /// <summary>Opens a socket and completes <c>connection_init</c> with <paramref name="token"/>: the next message must be the ack.</summary>
    public static async Task<GraphQLSocket> InitializedAsync(Uri graphql, string token, CancellationToken cancellationToken = default)
    {
        var socket = await ConnectAsync(graphql, cancellationToken: cancellationToken);
        await socket.SendAsync(new { type = "connection_init", payload = new { Authorization = $"Bearer {token}" } }, cancellationToken);
        var ack = await socket.ReceiveAsync(cancellationToken);
        Assert.Equal("connection_ack", ack.Type);
        return socket;
    }

    /// <summary>Sends <paramref name="message"/> as JSON text.</summary>
    public Task SendAsync(object message, CancellationToken cancellationToken = default) =>
        SendTextAsync(JsonSerializer.Serialize(message), cancellationToken);

    /// <summary>Sends <paramref name="text"/> as one text message, as it is.</summary>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken = default) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Sends <paramref name="bytes"/> as one binary message.</summary>
    public async Task SendBinaryAsync(byte[] bytes, CancellationToken cancellationToken = default) =>
        await _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    /// <summary>
    /// The next message, or the close the server sent (<see cref="Received.CloseCode"/>); waits at most
    /// <see cref="Eventually.Patience"/>, a deadline that only turns a hang into a failure.
    /// </summary>
    public async Task<Received> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Eventually.Patience);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, deadline.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", deadline.Token);
                }
                return new Received(null, (int?)_socket.CloseStatus, _socket.CloseStatusDescription);
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new Received(JsonDocument.Parse(message.ToArray()).RootElement.Clone(), null, null);
            }
        }
    }

    /// <summary>The next message that is not one of the server's keep-alive pings (or the server's close).</summary>
    public async Task<Received> NextAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var received = await ReceiveAsync(cancellationToken);
            if (received.CloseCode is not null || received.Type != "ping")
            {
                return received;
            }
        }
    }

    /// <summary>Reads until the server closes the socket, skipping the server's pings; fails on any other message.</summary>
    public async Task<Received> ClosedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var received = await ReceiveAsync(cancellationToken);
            if (received.CloseCode is not null || received.Type != "ping")
            {
                return received;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Already gone.
            }
        }
        _socket.Dispose();
    }
}

/// <summary>A message (<see cref="Message"/>) or the server's close (<see cref="CloseCode"/>, <see cref="CloseReason"/>).</summary>
public sealed record Received(JsonElement? Message, int? CloseCode, string? CloseReason)
{
    /// <summary>The message's <c>type</c>; null for a close.</summary>
    public string? Type => Message?.GetProperty("type").GetString();

    /// <summary>The message's <c>id</c>.</summary>
    public string? Id => Message is { } m && m.TryGetProperty("id", out var id) ? id.GetString() : null;

    /// <summary>The message's <c>payload</c>.</summary>
    public JsonElement Payload => Message!.Value.GetProperty("payload");

    /// <inheritdoc />
    public override string ToString() => Message?.GetRawText() ?? $"close {CloseCode}: {CloseReason}";
}
