// The kinds of client the proof runs at the same time. Each kind exercises a different way that a swap can drop a
// request (see docs/proof.md and docs/failure-modes.md): reused keep-alive connections (item 5), HTTP/2 GOAWAY
// (item 7), a new connection per request (item 6), non-idempotent writes (items 9, 10) and long in-flight
// requests that must survive the drain (items 12, 14, 15).
namespace Proof.Tests.Load;

public enum ClientKind
{
    /// <summary>HTTP/1.1 GET /profile, one persistent connection per client.</summary>
    KeepAlive,

    /// <summary>HTTP/2 over TLS (version exact), several concurrent streams on one connection per client.</summary>
    Http2,

    /// <summary>HTTP/1.1 GET /profile with <c>Connection: close</c>: a new TCP + TLS connection per request.</summary>
    ConnectionClose,

    /// <summary>POST /notes with a unique text; the acknowledged id is recorded for the database check.</summary>
    Writer,

    /// <summary>GET /slow?ms=N, staggered so that some are always in flight when a switch happens.</summary>
    Long,
}
