// Whether this instance wants traffic. Draining starts when POST /admin/drain asks for it or when the host begins to
// stop (SIGTERM fires ApplicationStopping), and never ends: a drained instance is on its way out.
namespace Api.Health;

public sealed class DrainState(IHostApplicationLifetime lifetime)
{
    private int _requested;

    public bool IsDraining =>
        Volatile.Read(ref _requested) == 1 || lifetime.ApplicationStopping.IsCancellationRequested;

    public string Reason => lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down"
        : Volatile.Read(ref _requested) == 1 ? "drain requested" : "serving";

    /// <summary>Idempotent.</summary>
    public void Request() => Interlocked.Exchange(ref _requested, 1);
}
