// Counts requests being served, so that a deploy script can wait until a drained slot is idle before stopping it.
// Health and admin requests are left out: the script's own polling must not keep the count above zero.
namespace Api.Health;

public sealed class InFlightRequests
{
    private int _count;
    private long _started;

    /// <summary>Requests being served now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Requests started since the process began. A drain needs it as well as <see cref="Count"/>: 0 in flight at one
    /// instant does not say that nothing is still on its way, an unchanged total over a quiet window does.
    /// </summary>
    public long Started => Interlocked.Read(ref _started);

    internal void Enter()
    {
        Interlocked.Increment(ref _started);
        Interlocked.Increment(ref _count);
    }

    internal void Leave() => Interlocked.Decrement(ref _count);

    public static bool IsCounted(PathString path) =>
        !path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        && !path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);
}

public static class InFlightRequestsExtensions
{
    public static IApplicationBuilder UseInFlightCounting(this IApplicationBuilder app)
    {
        var counter = app.ApplicationServices.GetRequiredService<InFlightRequests>();
        return app.Use(async (context, next) =>
        {
            if (!InFlightRequests.IsCounted(context.Request.Path))
            {
                await next(context);
                return;
            }

            counter.Enter();
            try
            {
                await next(context);
            }
            finally
            {
                counter.Leave();
            }
        });
    }
}
