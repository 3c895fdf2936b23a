// On SIGTERM, keep the server up while counted requests are still running, so that whoever polls readiness sees
// 503 "shutting down" instead of a refused connection, and requests on their way in are still served
// (docs/failure-modes.md #14). Stopped before the web server because hosted services stop in reverse order.
// Bounded by half the shutdown timeout, so that Kestrel keeps the other half to finish what is left.
using Microsoft.Extensions.Options;

namespace Api.Health;

internal sealed partial class DrainOnShutdown(
    InFlightRequests inFlight, IOptions<HostOptions> host, ILogger<DrainOnShutdown> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(host.Value.ShutdownTimeout / 2);
        if (inFlight.Count > 0)
        {
            LogWaiting(logger, inFlight.Count);
        }

        try
        {
            while (inFlight.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), bound.Token);
            }
        }
        catch (OperationCanceledException)
        {
            LogGaveUp(logger, inFlight.Count);
        }
    }

    [LoggerMessage(LogLevel.Information,
        "Shutting down: waiting for {Count} in-flight request(s) before stopping the server")]
    private static partial void LogWaiting(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning,
        "Shutting down: {Count} request(s) still in flight; the server's own stop takes over")]
    private static partial void LogGaveUp(ILogger logger, int count);
}
