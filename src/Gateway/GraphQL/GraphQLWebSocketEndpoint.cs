using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GraphQL;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// GraphQL over WebSocket at <c>/graphql</c>, subprotocol <c>graphql-transport-ws</c> (the protocol of the
/// <c>graphql-ws</c> library, PROTOCOL.md): <c>connection_init</c> with <c>{ "Authorization": "Bearer …" }</c> is
/// checked before anything else, ping/pong both ways, subscribe/next/error/complete, and the protocol's close codes.
/// Operations run through <see cref="GraphQLOperations"/>, as over HTTP; the socket ends at its token's expiry.
/// </summary>
internal sealed partial class GraphQLWebSocketEndpoint(
    GraphQLOperations operations,
    SocketAuthenticator authenticator,
    IGraphQLTextSerializer serializer,
    IServiceScopeFactory scopes,
    IOptions<GraphQLOptions> options,
    TimeProvider time,
    ILogger<GraphQLWebSocketEndpoint> logger)
{
    private readonly GraphQLOperations _operations = operations;
    private readonly SocketAuthenticator _authenticator = authenticator;
    private readonly IGraphQLTextSerializer _serializer = serializer;
    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly IOptions<GraphQLOptions> _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger<GraphQLWebSocketEndpoint> _logger = logger;

    /// <summary>The only subprotocol spoken.</summary>
    public const string SubProtocol = "graphql-transport-ws";

    public async Task HandleAsync(HttpContext http)
    {
        var offered = http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = offered ? SubProtocol : null,
            // Dead peers are found by the WebSocket layer's own pings; the protocol's ping is for the client.
            KeepAliveInterval = TimeSpan.FromSeconds(20),
            KeepAliveTimeout = TimeSpan.FromSeconds(40),
        });
        using var session = new GraphQLSocketSession(this, socket, http.Connection.RemoteIpAddress?.ToString());
        if (!offered)
        {
            // As graphql-ws's own server does: the handshake succeeds without a subprotocol, and the socket is closed.
            session.Close(SocketCloseCodes.SubprotocolNotAcceptable, "Subprotocol not acceptable");
        }
        await session.RunAsync(http.RequestAborted);
    }

    /// <summary>One socket: its connection state, its running operations and its single writer.</summary>
    private sealed class GraphQLSocketSession(GraphQLWebSocketEndpoint endpoint, WebSocket socket, string? remoteAddress) : IDisposable
    {
        // Events of one subscription in flight to the socket at most; the feed waits for the rest.
        private const int StreamWindow = 16;
        private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

        private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ConcurrentDictionary<string, RunningOperation> _operations = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();
        private (int Code, string Reason)? _close;
        private bool _initReceived;
        private volatile SocketUser? _user;
        private ITimer? _initTimer;
        private ITimer? _expiryTimer;
        private ITimer? _pingTimer;

        private GraphQLOptions Options => endpoint._options.Value;

        public async Task RunAsync(CancellationToken requestAborted)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _stop.Token);
            var writer = WriteAsync(linked.Token);
            _initTimer = endpoint._time.CreateTimer(_ =>
            {
                if (!Volatile.Read(ref _initReceived))
                {
                    Close(SocketCloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout");
                }
            }, null, TimeSpan.FromSeconds(Options.ConnectionInitTimeoutSeconds), Timeout.InfiniteTimeSpan);
            try
            {
                await ReceiveAsync(linked.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The client went away, or the close handshake timed out.
            }
            finally
            {
                _initTimer.Dispose();
                _expiryTimer?.Dispose();
                _pingTimer?.Dispose();
                foreach (var id in _operations.Keys)
                {
                    Stop(id);
                }
                // The writer sends what is queued (a close frame at most, once one is asked for) and ends.
                _outbox.Writer.TryComplete();
                try
                {
                    await writer.WaitAsync(CloseHandshakeTimeout, CancellationToken.None);
                }
                catch (TimeoutException)
                {
                    await _stop.CancelAsync();
                    await writer;
                }
                if (socket.State != WebSocketState.Closed)
                {
                    socket.Abort();
                }
            }
        }

        /// <summary>Closes the socket with <paramref name="code"/>: what is still queued is not sent, nothing more is read.</summary>
        public void Close(int code, string reason)
        {
            lock (_outbox)
            {
                if (_close is not null)
                {
                    return;
                }
                _close = (code, reason);
            }
            Log.Closing(endpoint._logger, code, reason, remoteAddress);
            _outbox.Writer.TryWrite(Outgoing.Wake);
            try
            {
                // The client answers the close frame; one that does not is cut off.
                _stop.CancelAfter(CloseHandshakeTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The session has ended already.
            }
        }

        public void Dispose() => _stop.Dispose();

        private IGraphQLTextSerializer Serializer => endpoint._serializer;

        private bool Closing
        {
            get
            {
                lock (_outbox)
                {
                    return _close is not null;
                }
            }
        }

        private async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[8192];
            using var message = new MemoryStream();
            var tooLarge = false;
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    Close((int)WebSocketCloseStatus.NormalClosure, "");
                    return;
                }
                if (Closing)
                {
                    continue;
                }
                if (!tooLarge)
                {
                    if (message.Length + received.Count > Options.MaxRequestBytes)
                    {
                        tooLarge = true;
                    }
                    else
                    {
                        message.Write(buffer, 0, received.Count);
                    }
                }
                if (!received.EndOfMessage)
                {
                    continue;
                }
                if (tooLarge)
                {
                    Close(SocketCloseCodes.BadRequest, $"Message larger than {Options.MaxRequestBytes} bytes");
                }
                else if (received.MessageType != WebSocketMessageType.Text)
                {
                    Close(SocketCloseCodes.BadRequest, "Binary messages are not part of the protocol");
                }
                else
                {
                    await HandleAsync(message.GetBuffer().AsMemory(0, (int)message.Length), cancellationToken);
                }
                message.SetLength(0);
                tooLarge = false;
            }
        }

        private async Task HandleAsync(ReadOnlyMemory<byte> text, CancellationToken cancellationToken)
        {
            JsonDocument json;
            try
            {
                json = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException)
            {
                Close(SocketCloseCodes.BadRequest, "Invalid message: not JSON");
                return;
            }
            using (json)
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                {
                    Close(SocketCloseCodes.BadRequest, "Invalid message: it needs a 'type'");
                    return;
                }
                switch (type.GetString())
                {
                    case "connection_init":
                        await InitAsync(root, cancellationToken);
                        break;
                    case "ping":
                        if (PayloadIsValid(root))
                        {
                            Send(Envelope("pong", null));
                        }
                        break;
                    case "pong":
                        PayloadIsValid(root);
                        break;
                    case "subscribe":
                        Subscribe(root);
                        break;
                    case "complete":
                        if (OperationId(root) is { } id)
                        {
                            // Unknown ids (already completed operations) are ignored, as the protocol allows.
                            Stop(id);
                        }
                        break;
                    default:
                        Close(SocketCloseCodes.BadRequest, "Invalid message: unknown type");
                        break;
                }
            }
        }

        private bool PayloadIsValid(JsonElement root)
        {
            if (root.TryGetProperty("payload", out var payload) && payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                Close(SocketCloseCodes.BadRequest, "Invalid message: 'payload' must be an object");
                return false;
            }
            return true;
        }

        private async Task InitAsync(JsonElement root, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _initReceived))
            {
                Close(SocketCloseCodes.TooManyInitialisationRequests, "Too many initialisation requests");
                return;
            }
            Volatile.Write(ref _initReceived, true);
            if (!PayloadIsValid(root))
            {
                return;
            }
            if (BearerToken(root) is not { } token)
            {
                Close(SocketCloseCodes.Forbidden, "Forbidden: send { \"Authorization\": \"Bearer <access token>\" } in connection_init");
                return;
            }
            var user = await endpoint._authenticator.AuthenticateAsync(token, remoteAddress, cancellationToken);
            if (user is null)
            {
                Close(SocketCloseCodes.Forbidden, "Forbidden");
                return;
            }
            var left = user.ExpiresAt - endpoint._time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                Close(SocketCloseCodes.Forbidden, "Forbidden: token expired");
                return;
            }
            // The socket lives no longer than the token: at its expiry it is closed, whatever is running. A timer
            // runs on the monotonic clock and in whole milliseconds, so it can fire a little before the wall-clock
            // expiry; then it is set again for what is left, and the socket is never closed early.
            var expiresAt = user.ExpiresAt;
            _expiryTimer = endpoint._time.CreateTimer(_ =>
            {
                var remaining = expiresAt - endpoint._time.GetUtcNow();
                if (remaining > TimeSpan.Zero)
                {
                    _expiryTimer?.Change(remaining + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                    return;
                }
                Close(SocketCloseCodes.Forbidden, "Forbidden: token expired");
            }, null, left, Timeout.InfiniteTimeSpan);
            _user = user;
            Log.Acknowledged(endpoint._logger, user.Principal.Agency, user.Principal.Subject, remoteAddress);
            Send(Envelope("connection_ack", null));
            if (Options.KeepAliveSeconds > 0)
            {
                var interval = TimeSpan.FromSeconds(Options.KeepAliveSeconds);
                _pingTimer = endpoint._time.CreateTimer(_ => Send(Envelope("ping", null)), null, interval, interval);
            }
        }

        private static string? BearerToken(JsonElement root)
        {
            if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (!payload.TryGetProperty("Authorization", out var header) && !payload.TryGetProperty("authorization", out header))
            {
                return null;
            }
            if (header.ValueKind != JsonValueKind.String || header.GetString() is not { } value)
            {
                return null;
            }
            const string scheme = "Bearer ";
            return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > scheme.Length
                ? value[scheme.Length..].Trim()
                : null;
        }

        private string? OperationId(JsonElement root)
        {
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
            {
                Close(SocketCloseCodes.BadRequest, "Invalid message: it needs an 'id'");
                return null;
            }
            return id.GetString();
        }

        private void Subscribe(JsonElement root)
        {
            if (_user is not { } user)
            {
                Close(SocketCloseCodes.Unauthorized, "Unauthorized");
                return;
            }
            if (OperationId(root) is not { } id)
            {
                return;
            }
            if (!root.TryGetProperty("payload", out var payload))
            {
                Close(SocketCloseCodes.BadRequest, "Invalid message: 'payload' is missing");
                return;
            }
            if (GraphQLRequest.FromJson(payload, endpoint._serializer, out var error) is not { } request)
            {
                Close(SocketCloseCodes.BadRequest, $"Invalid message: {error}");
                return;
            }
            if (_operations.Count >= Options.MaxOperationsPerSocket)
            {
                // Refused, not fatal: the client may complete another and try again.
                Send(Envelope("error", id, ErrorsJson(new ExecutionError(
                    $"At most {Options.MaxOperationsPerSocket} operations may run at once on one socket.") { Code = HubErrorCodes.BadRequest })));
                return;
            }
            var operation = new RunningOperation(id);
            if (!_operations.TryAdd(id, operation))
            {
                Close(SocketCloseCodes.SubscriberAlreadyExists, $"Subscriber for {id} already exists");
                return;
            }
            _ = RunOperationAsync(operation, request, user);
        }

        private async Task RunOperationAsync(RunningOperation operation, GraphQLRequest request, SocketUser user)
        {
            var window = new SemaphoreSlim(StreamWindow);
            try
            {
                ExecutionResult result;
                string? single = null;
                var refused = false;
                await using (var scope = endpoint._scopes.CreateAsyncScope())
                {
                    result = await endpoint._operations.ExecuteAsync(request, null, user.User, user.Principal, scope.ServiceProvider,
                        window, operation.Cancellation.Token);
                    if (result.Streams is null)
                    {
                        // Serialized while the scope's data are still at hand. A subscription that did not start
                        // (refused role, bad cursor) is an error, as is any operation that did not execute.
                        refused = !result.Executed || result.Operation?.Operation == OperationType.Subscription;
                        single = refused ? ErrorsJson(result.Errors) : endpoint._serializer.Serialize(result);
                    }
                }
                if (!_operations.TryGetValue(operation.Id, out var current) || current != operation)
                {
                    return; // completed by the client meanwhile: nothing more is sent for it
                }
                if (single is not null)
                {
                    if (refused)
                    {
                        Send(Envelope("error", operation.Id, single));
                    }
                    else
                    {
                        Send(Envelope("next", operation.Id, single));
                        Send(Envelope("complete", operation.Id));
                    }
                    _operations.TryRemove(operation.Id, out _);
                    return;
                }
                if (result.Streams!.Count != 1)
                {
                    Send(Envelope("error", operation.Id, ErrorsJson(new ExecutionError("A subscription selects exactly one field.") { Code = HubErrorCodes.BadRequest })));
                    _operations.TryRemove(operation.Id, out _);
                    return;
                }
                var stream = result.Streams.Values.Single();
                operation.Attach(stream.Subscribe(new StreamObserver(this, operation, window)));
            }
            catch (OperationCanceledException) when (operation.Cancellation.IsCancellationRequested)
            {
                // Completed by the client, or the socket is closing.
            }
#pragma warning disable CA1031 // An operation's failure must not end the socket; the client gets an error without details.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.OperationFailed(endpoint._logger, ex.GetType().Name);
                if (_operations.TryRemove(operation.Id, out _))
                {
                    Send(Envelope("error", operation.Id, ErrorsJson(new ExecutionError("The operation failed.") { Code = "INTERNAL" })));
                }
            }
        }

        private void Stop(string id)
        {
            if (_operations.TryRemove(id, out var operation))
            {
                operation.Dispose();
            }
        }

        private string ErrorsJson(ExecutionError error) => ErrorsJson(new ExecutionErrors { error });

        // The protocol's error payload is the GraphQL errors array, shaped as the HTTP transport shapes them.
        private string ErrorsJson(ExecutionErrors? errors)
        {
            using var json = JsonDocument.Parse(endpoint._serializer.Serialize(new ExecutionResult { Errors = errors ?? [] }));
            return json.RootElement.TryGetProperty("errors", out var array) ? array.GetRawText() : "[]";
        }

        private static byte[] Envelope(string type, string? id, string? payloadJson = null)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (id is not null)
                {
                    writer.WriteString("id", id);
                }
                writer.WriteString("type", type);
                if (payloadJson is not null)
                {
                    writer.WritePropertyName("payload");
                    writer.WriteRawValue(payloadJson, skipInputValidation: true);
                }
                writer.WriteEndObject();
            }
            return buffer.ToArray();
        }

        private void Send(byte[] message, Action? sent = null) => _outbox.Writer.TryWrite(new Outgoing(message, sent));

        // The one writer of the socket: messages in order, and the close frame as soon as one is asked for.
        private async Task WriteAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var item in _outbox.Reader.ReadAllAsync(cancellationToken))
                {
                    (int Code, string Reason)? close;
                    lock (_outbox)
                    {
                        close = _close;
                    }
                    if (close is { } c)
                    {
                        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync((WebSocketCloseStatus)c.Code, Truncate(c.Reason), cancellationToken);
                        }
                        return;
                    }
                    if (item.Message is { } message)
                    {
                        await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                        item.Sent?.Invoke();
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The socket is gone; the receiver ends too.
            }
        }

        // A close reason is at most 123 UTF-8 bytes.
        private static string Truncate(string reason)
        {
            while (Encoding.UTF8.GetByteCount(reason) > 123)
            {
                reason = reason[..^1];
            }
            return reason;
        }

        private sealed record Outgoing(byte[]? Message, Action? Sent)
        {
            public static readonly Outgoing Wake = new(null, null);
        }

        private sealed class RunningOperation(string id) : IDisposable
        {
            private IDisposable? _subscription;
            private bool _disposed;

            public string Id { get; } = id;

            public CancellationTokenSource Cancellation { get; } = new();

            public void Attach(IDisposable subscription)
            {
                lock (this)
                {
                    if (!_disposed)
                    {
                        _subscription = subscription;
                        return;
                    }
                }
                subscription.Dispose();
            }

            public void Dispose()
            {
                IDisposable? subscription;
                lock (this)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    _disposed = true;
                    subscription = _subscription;
                }
                Cancellation.Cancel();
                subscription?.Dispose();
            }
        }

        private sealed class StreamObserver(GraphQLSocketSession session, RunningOperation operation, SemaphoreSlim window)
            : IObserver<ExecutionResult>
        {
            private bool Active => session._operations.TryGetValue(operation.Id, out var current) && current == operation;

            public void OnNext(ExecutionResult value)
            {
                if (Active)
                {
                    session.Send(Envelope("next", operation.Id, session.Serializer.Serialize(value)), () => window.Release());
                }
            }

            public void OnError(Exception error)
            {
                if (session._operations.TryRemove(new KeyValuePair<string, RunningOperation>(operation.Id, operation)))
                {
                    session.Send(Envelope("error", operation.Id, session.ErrorsJson(error as ExecutionError
                        ?? new ExecutionError("The subscription's source failed.") { Code = "INTERNAL" })));
                    operation.Dispose();
                }
            }

            public void OnCompleted()
            {
                if (session._operations.TryRemove(new KeyValuePair<string, RunningOperation>(operation.Id, operation)))
                {
                    session.Send(Envelope("complete", operation.Id));
                    operation.Dispose();
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "GraphQL WebSocket from {RemoteAddress} closing with {Code}: {Reason}")]
        public static partial void Closing(ILogger logger, int code, string reason, string? remoteAddress);

        [LoggerMessage(EventId = 4121, Level = LogLevel.Debug, Message = "GraphQL WebSocket from {RemoteAddress} acknowledged for {Agency} user {Subject}")]
        public static partial void Acknowledged(ILogger logger, string agency, string subject, string? remoteAddress);

        [LoggerMessage(EventId = 4122, Level = LogLevel.Error, Message = "A GraphQL WebSocket operation failed with {ExceptionType}")]
        public static partial void OperationFailed(ILogger logger, string exceptionType);
    }
}

/// <summary>The graphql-transport-ws close codes the hub uses.</summary>
internal static class SocketCloseCodes
{
    /// <summary>An invalid message (4400).</summary>
    public const int BadRequest = 4400;

    /// <summary>An operation before <c>connection_ack</c> (4401).</summary>
    public const int Unauthorized = 4401;

    /// <summary>A missing, invalid or expired token, or one that is no hub user's (4403).</summary>
    public const int Forbidden = 4403;

    /// <summary>The client did not offer <c>graphql-transport-ws</c> (4406).</summary>
    public const int SubprotocolNotAcceptable = 4406;

    /// <summary>No <c>connection_init</c> in time (4408).</summary>
    public const int ConnectionInitialisationTimeout = 4408;

    /// <summary>A <c>subscribe</c> with the id of a running operation (4409).</summary>
    public const int SubscriberAlreadyExists = 4409;

    /// <summary>A second <c>connection_init</c> (4429).</summary>
    public const int TooManyInitialisationRequests = 4429;
}
