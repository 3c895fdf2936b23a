// One request exactly as a client saw it. No retries happen anywhere in the harness, so one sample is one attempt.
namespace Proof.Tests.Load;

/// <param name="Kind">Which kind of client sent it.</param>
/// <param name="Client">Index of the client within its kind (a connection, for the persistent kinds).</param>
/// <param name="StartedAt">Wall-clock time the request was handed to the HTTP stack.</param>
/// <param name="Latency">Time until the whole body was read, or until the error.</param>
/// <param name="Status">HTTP status, or null when a transport error happened before a status arrived.</param>
/// <param name="Error">Exception type (and HttpRequestError) of a transport error; null otherwise.</param>
/// <param name="Slot">The <c>X-Slot</c> response header: which slot answered.</param>
/// <param name="WriteText">For writers: the unique note text sent, acknowledged or not.</param>
/// <param name="WriteId">For writers: the id of the acknowledged note (201 only).</param>
public sealed record RequestSample(
    ClientKind Kind,
    int Client,
    DateTimeOffset StartedAt,
    TimeSpan Latency,
    int? Status,
    string? Error,
    string? Slot,
    string? WriteText = null,
    long? WriteId = null)
{
    /// <summary>The HTTP version of the response (null after a transport error).</summary>
    public Version? Protocol { get; init; }

    /// <summary>The <c>Retry-After</c> response header as sent (maintenance mode's 503s carry one), or null.</summary>
    public string? RetryAfter { get; init; }

    public DateTimeOffset EndedAt => StartedAt + Latency;

    public bool IsSuccess => Error is null && Status is >= 200 and < 300;

    public bool IsTransportError => Error is not null;
}
