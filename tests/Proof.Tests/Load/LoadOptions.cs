// How much load to run and its hard caps. Defaults are sized for a 2-core CI machine that also runs the stack,
// the deploy script and docker itself: enough concurrency for the load docs/proof.md promises (>= 32 keep-alive
// connections), with a short pause per request so that the load does not starve the swap it is measuring.
namespace Proof.Tests.Load;

public sealed record LoadOptions
{
    public int KeepAliveClients { get; init; } = 32;

    public int Http2Clients { get; init; } = 2;

    /// <summary>Concurrent streams per HTTP/2 connection: GOAWAY races need more than one stream in flight.</summary>
    public int Http2StreamsPerClient { get; init; } = 4;

    /// <summary>
    /// How long an HTTP/2 client keeps a connection before it opens a new one (SocketsHttpHandler's
    /// PooledConnectionLifetime), so that no connection reaches nginx's per-connection request limit
    /// (keepalive_requests, 1000). At that limit nginx ends the connection gracefully (GOAWAY, then close), and
    /// SocketsHttpHandler fails, about once in a few hundred such closes, a request it had queued but not yet sent
    /// instead of retrying it: Http2Connection.AddStream checks for an aborted connection before a shut-down one.
    /// That is a client bug, seen with no swap at all (docs/proof.md, "HTTP/2 and the reload"), and nothing a
    /// deploy can change; the proof measures swaps. UnderLoad checks in nginx's log that the limit was not reached.
    /// </summary>
    public TimeSpan Http2ConnectionLifetime { get; init; } = TimeSpan.FromSeconds(2);

    public int ConnectionCloseClients { get; init; } = 4;

    public int Writers { get; init; } = 4;

    public int LongClients { get; init; } = 4;

    public int LongRequestMilliseconds { get; init; } = 3000;

    /// <summary>
    /// Upper bound of a random pause after each request. The pause also leaves keep-alive connections idle for a
    /// moment, which is exactly when a reload's old workers would close them (docs/failure-modes.md #5, #7).
    /// </summary>
    public TimeSpan MaxThinkTime { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Client timeout per request; a timeout is counted as a transport error, never retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Hard cap: no client starts a request after this, whatever the test does.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Hard cap on the number of requests of the whole run.</summary>
    public long MaxRequests { get; init; } = 1_000_000;

    /// <summary>Prefix of every note text, unique per run so that the database check sees only this run.</summary>
    public string RunId { get; init; } = $"proof-{Guid.NewGuid():N}"[..18];
}
