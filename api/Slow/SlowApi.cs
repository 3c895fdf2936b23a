// GET /slow?ms=N: a request that takes N milliseconds, for the graceful-shutdown and swap tests.
// Off unless ENABLE_SLOW_ENDPOINT=true (404), bounded by MAX_REQUEST_SECONDS (400), and it sleeps on the request's
// cancellation token, so a shutdown that outlasts SHUTDOWN_TIMEOUT_SECONDS cuts it cleanly. When it is on, the
// start-up log says so (a warning): an endpoint that holds a request for seconds has no place in production.
using Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Slow;

public static partial class SlowApi
{
    public sealed record SlowResponse(string Slot, int Ms);

    public static RouteGroupBuilder MapSlow(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/slow");
        group.MapGet("/", SleepAsync);

        var options = app.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value;
        if (options.GetEnableSlowEndpoint())
        {
            LogEnabled(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SlowApi)),
                (int)options.GetMaxRequest().TotalSeconds);
        }

        return group;
    }

    [LoggerMessage(LogLevel.Warning,
        "GET /slow is enabled (ENABLE_SLOW_ENDPOINT=true): any client may hold a request for up to {Seconds} s. " +
        "For load tests only; set ENABLE_SLOW_ENDPOINT=false in production")]
    private static partial void LogEnabled(ILogger logger, int seconds);

    private static async Task<Results<Ok<SlowResponse>, NotFound, ValidationProblem>> SleepAsync(
        IOptions<AppOptions> options, InstanceInfo instance, TimeProvider clock, CancellationToken cancellationToken,
        int ms = 1000)
    {
        if (!options.Value.GetEnableSlowEndpoint())
        {
            return TypedResults.NotFound();
        }

        var limit = (int)options.Value.GetMaxRequest().TotalMilliseconds;
        if (ms < 0 || ms > limit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["ms"] = [$"ms must be 0-{limit} (MAX_REQUEST_SECONDS)."],
            });
        }

        await Task.Delay(TimeSpan.FromMilliseconds(ms), clock, cancellationToken);
        return TypedResults.Ok(new SlowResponse(instance.Slot, ms));
    }
}
