// Builds the HTTP clients of the load. Each persistent client gets its own SocketsHttpHandler limited to one
// connection, so that 32 keep-alive clients really are 32 TCP connections to nginx (a shared handler would
// multiplex them over however many connections its pool decides).
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Proof.Tests.Load;

public static class LoadClients
{
    /// <summary>The name nginx serves and the certificate is issued for; sent as Host and TLS SNI.</summary>
    public const string HostName = "localhost";

    /// <summary>
    /// The base address the clients use: https://localhost:port, where the port is the stack's. Refuses anything
    /// other than a loopback target: the harness never sends load elsewhere.
    /// </summary>
    public static Uri ToClientBase(Uri httpsBase)
    {
        if (httpsBase.Scheme != Uri.UriSchemeHttps
            || !IPAddress.TryParse(httpsBase.Host, out var address)
            || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"The load targets nginx on loopback over https only, not {httpsBase}.");
        }

        return new UriBuilder(Uri.UriSchemeHttps, HostName, httpsBase.Port).Uri;
    }

    public static HttpClient Create(Uri httpsBase, ClientKind kind, TimeSpan timeout, TimeSpan? http2ConnectionLifetime = null)
    {
        var port = httpsBase.Port;
        var handler = new SocketsHttpHandler
        {
            // One connection per client (HTTP/2: one connection, many streams).
            MaxConnectionsPerServer = 1,
            EnableMultipleHttp2Connections = false,
            // HTTP/1.1: keep connections for the whole run, so that anything that closes them under a client (a
            // reload's old workers, docs/failure-modes.md #5) is seen. HTTP/2: renew them below nginx's
            // per-connection request limit (LoadOptions.Http2ConnectionLifetime says why).
            PooledConnectionLifetime = kind == ClientKind.Http2
                ? http2ConnectionLifetime ?? Timeout.InfiniteTimeSpan
                : Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            AllowAutoRedirect = false,
            UseCookies = false,
            // localhost resolves to 127.0.0.1 and ::1; dial 127.0.0.1 explicitly, where compose publishes the port.
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                {
                    NoDelay = true,
                };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                // The stack's certificate is self-signed by its tls-init one-shot; the target is our own loopback
                // stack (checked in ToClientBase), so accepting it hides nothing.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };

        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = ToClientBase(httpsBase),
            Timeout = timeout,
        };
        if (kind == ClientKind.Http2)
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        else
        {
            client.DefaultRequestVersion = HttpVersion.Version11;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }
}
