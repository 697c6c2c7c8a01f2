using System.Net;
using System.Net.Sockets;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on 127.0.0.1 between the hub and a server (its PostgreSQL), which a test can cut and restore:
/// cut, every open connection is reset and new ones are refused, as when the database server stops; restored on
/// the same port, connections go through again. The outage is real to the hub (socket errors from Npgsql), while
/// the shared test server keeps running for every other test.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _running;

    public TcpProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        Port = HubProcess.FreePort();
        Restore();
    }

    public int Port { get; }

    /// <summary>Accepts and forwards connections again (after <see cref="Cut"/>).</summary>
    public void Restore()
    {
        _running = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _running.Token);
    }

    /// <summary>Stops listening and resets every forwarded connection.</summary>
    public void Cut()
    {
        _running?.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                // Linger 0: the close is a reset, as a stopped server's connections end.
                try { client.Client?.LingerState = new LingerOption(true, 0); client.Close(); } catch (ObjectDisposedException) { }
            }
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(cancel); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_target, cancel); }
            catch (Exception e) when (e is OperationCanceledException or SocketException) { inbound.Close(); continue; }
            lock (_open) { _open.Add(inbound); _open.Add(outbound); }
            _ = PumpAsync(inbound, outbound, cancel);
            _ = PumpAsync(outbound, inbound, cancel);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken cancel)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), cancel); }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
        try { to.Close(); from.Close(); } catch (ObjectDisposedException) { }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
