// Whether this instance wants traffic. Draining starts when the host begins to stop (SIGTERM fires
// ApplicationStopping) and never ends: a drained instance is on its way out. Readiness turns 503 with it, so that
// whoever polls sees "shutting down" while in-flight requests finish (DrainOnShutdown).
namespace Api.Health;

public sealed class DrainState(IHostApplicationLifetime lifetime)
{
    public bool IsDraining => lifetime.ApplicationStopping.IsCancellationRequested;

    public string Reason => IsDraining ? "shutting down" : "serving";
}
