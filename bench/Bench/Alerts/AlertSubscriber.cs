using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SharingHub.Bench.Alerts;

/// <summary>
/// A graphql-ws client (the graphql-transport-ws subprotocol, ADR-009) subscribed to <c>alertRaised</c> as one
/// officer: <c>connection_init</c> with the bearer token, <c>subscribe</c>, then every <c>next</c> handed to a callback
/// with the time its message was received (<see cref="Stopwatch"/> ticks, the clock the probes are stamped with);
/// <c>ping</c> is answered with <c>pong</c>. Anything that ends the subscription (<c>error</c>, <c>complete</c>, a
/// close) is kept in <see cref="Failure"/> for the run to report.
/// </summary>
internal sealed class AlertSubscriber : IAsyncDisposable
{
    /// <summary>Each alert event: the alert's kind and the local id of the subscriber's own record of its match.</summary>
    public const string Subscription = "subscription { alertRaised { alert { id kind match { own { localId } } } } }";

    private const string OperationId = "alerts";

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Action<string, long> _onAlert;
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private volatile string? _failure;

    private AlertSubscriber(Action<string, long> onAlert) => _onAlert = onAlert;

    /// <summary>Why the subscription ended, or null while it runs.</summary>
    public string? Failure => _failure;

    /// <summary>Alert events received (any of the agency's alerts, the probes' or not).</summary>
    public int Received { get; private set; }

    /// <summary>
    /// Connects to <paramref name="graphql"/> (its http(s) address; ws(s) is used), is acknowledged and subscribes.
    /// <paramref name="onAlert"/> gets the own record's local id of each alert with a match, and the receive time.
    /// </summary>
    public static async Task<AlertSubscriber> ConnectAsync(Uri graphql, string token, Action<string, long> onAlert, CancellationToken cancellationToken)
    {
        var subscriber = new AlertSubscriber(onAlert);
        try
        {
            await subscriber.StartAsync(graphql, token, cancellationToken);
            return subscriber;
        }
        catch
        {
            await subscriber.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(Uri graphql, string token, CancellationToken cancellationToken)
    {
        var address = new UriBuilder(graphql) { Scheme = graphql.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        _socket.Options.AddSubProtocol("graphql-transport-ws");
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await _socket.ConnectAsync(address, timeout.Token);
                await SendAsync(JsonSerializer.Serialize(new { type = "connection_init", payload = new { Authorization = "Bearer " + token } }), timeout.Token);
                var (type, _) = await ReceiveAsync(timeout.Token);
                if (type != "connection_ack")
                {
                    throw new BenchFailedException($"the Gateway did not acknowledge the subscriber's connection: {Describe(type)}");
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new BenchFailedException($"the Gateway's WebSocket at {address} did not acknowledge within 30 s");
            }
            catch (WebSocketException ex)
            {
                throw new BenchFailedException($"the Gateway's WebSocket at {address} could not be reached: {ex.Message}");
            }
        }
        await SendAsync(JsonSerializer.Serialize(new { id = OperationId, type = "subscribe", payload = new { query = Subscription } }), cancellationToken);
        _receiving = Task.Run(() => ReceiveLoopAsync(_stop.Token), CancellationToken.None);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (type, message) = await ReceiveAsync(cancellationToken);
                var received = Stopwatch.GetTimestamp();
                switch (type)
                {
                    case "next":
                        Received++;
                        var (localId, errors) = ParseNext(message!);
                        if (errors is not null)
                        {
                            _failure = $"the subscription sent errors: {errors}";
                            return;
                        }
                        if (localId is not null)
                        {
                            _onAlert(localId, received);
                        }
                        break;
                    case "ping":
                        await SendAsync("{\"type\":\"pong\"}", cancellationToken);
                        break;
                    case "pong":
                        break;
                    default:
                        _failure = $"the subscription ended: {Describe(type)}" + (type == "error" ? $" ({ErrorsOf(message!)})" : "");
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: the run is over.
        }
        catch (Exception ex) when (ex is WebSocketException or JsonException or IOException)
        {
            _failure = $"the subscriber's connection failed: {ex.Message}";
        }
    }

    // The message's type and its bytes; a close is the type null (its status is in Describe).
    private async Task<(string? Type, byte[]? Message)> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var result = await _socket.ReceiveAsync(chunk, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, null);
            }
            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                var message = buffer.ToArray();
                return (TypeOf(message), message);
            }
        }
    }

    private string Describe(string? type) => type is null
        ? $"the socket was closed ({(int?)_socket.CloseStatus} {_socket.CloseStatusDescription})"
        : $"a '{type}' message";

    /// <summary>A graphql-transport-ws message's <c>type</c>.</summary>
    internal static string? TypeOf(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            if (reader.CurrentDepth >= 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }
        return null;
    }

    /// <summary>
    /// A <c>next</c> message's <c>payload.data.alertRaised.alert.match.own.localId</c> (null for an alert without a
    /// match), or its errors' messages. Only the local id and the errors are read: an alert's content is never printed.
    /// </summary>
    internal static (string? LocalId, string? Errors) ParseNext(byte[] message)
    {
        using var json = JsonDocument.Parse(message);
        if (!json.RootElement.TryGetProperty("payload", out var payload))
        {
            return (null, "a next message without a payload");
        }
        if (payload.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            return (null, Messages(errors));
        }
        var own = payload.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("alertRaised", out var raised) && raised.TryGetProperty("alert", out var alert)
            && alert.TryGetProperty("match", out var match) && match.ValueKind == JsonValueKind.Object
            && match.TryGetProperty("own", out var record) && record.TryGetProperty("localId", out var localId)
            ? localId.GetString()
            : null;
        return (own, null);
    }

    // An error message's payload is the list of errors itself.
    private static string ErrorsOf(byte[] message)
    {
        using var json = JsonDocument.Parse(message);
        return json.RootElement.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Array
            ? Messages(payload)
            : "no error list";
    }

    private static string Messages(JsonElement errors) => string.Join("; ", errors.EnumerateArray().Select(e =>
        (e.TryGetProperty("message", out var m) ? m.GetString() : "?")
        + (e.TryGetProperty("extensions", out var x) && x.ValueKind == JsonValueKind.Object && x.TryGetProperty("code", out var c) ? $" ({c.GetString()})" : "")));

    private async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await SendAsync(JsonSerializer.Serialize(new { id = OperationId, type = "complete" }), timeout.Token);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "benchmark done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Closing is a courtesy: the Gateway also ends a dropped socket's subscription.
            }
        }
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _socket.Dispose();
        _sending.Dispose();
        _stop.Dispose();
    }
}
