// ZDD_FAULT=never-ready: a hosting startup (loaded by StartupHook) whose startup filter answers GET /health/ready with
// 503 ahead of the API's own endpoints, so that the build never becomes ready while it is alive and serves the rest.
using FaultInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

[assembly: HostingStartup(typeof(NeverReadyStartup))]

namespace FaultInjection;

internal sealed class NeverReadyStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, NeverReadyFilter>());
}

internal sealed class NeverReadyFilter : IStartupFilter
{
    private const string Description =
        $"{StartupHook.Variable}={StartupHook.NeverReady}: this build never becomes ready (tests/FaultInjection)";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.Equals("/health/ready", StringComparison.OrdinalIgnoreCase))
            {
                await nextMiddleware(context);
                return;
            }

            // The shape of the API's own readiness answer, so that a deploy script quotes it like any other.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsJsonAsync(new
            {
                status = "Unhealthy",
                checks = new Dictionary<string, object>
                {
                    ["fault-injection"] = new { status = "Unhealthy", description = Description },
                },
            });
        });
        next(app);
    };
}
