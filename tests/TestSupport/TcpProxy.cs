using System.Net;
using System.Net.Sockets;

namespace SharingHub.TestSupport;

/// <summary>
/// A loopback TCP forwarder in front of a real server. Stopping it refuses new connections and cuts the open ones,
/// which is what a host sees when PostgreSQL or RabbitMQ goes down, without disturbing the tests that share the
/// real server.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _running;
    private Task? _acceptLoop;
    private int _accepted;

    /// <summary>Creates a proxy to <paramref name="targetHost"/>:<paramref name="targetPort"/> on a free loopback port.</summary>
    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>How many client connections it has accepted since it was created (a reconnect counts again).</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>Starts accepting and forwarding connections.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            _running = new CancellationTokenSource();
            _acceptLoop = AcceptAsync(_listener, _running.Token);
        }
    }

    /// <summary>Stops listening and cuts every open connection.</summary>
    public async Task StopAsync()
    {
        Task? acceptLoop;
        lock (_gate)
        {
            if (_listener is null)
            {
                return;
            }
            _running!.Cancel();
            _listener.Stop();
            _listener = null;
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
            _connections.Clear();
            acceptLoop = _acceptLoop;
        }
        try
        {
            await acceptLoop!;
        }
        catch (OperationCanceledException)
        {
            // The accept loop ends by cancellation; that is the expected way out.
        }
        _running!.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(inbound, cancellationToken);
        }
    }

    private async Task ForwardAsync(TcpClient inbound, CancellationToken cancellationToken)
    {
        var outbound = new TcpClient();
        lock (_gate)
        {
            _connections.Add(inbound);
            _connections.Add(outbound);
        }
        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, cancellationToken);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, cancellationToken), b.CopyToAsync(a, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut connection is this proxy's purpose; the client sees the reset.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
