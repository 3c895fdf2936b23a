// /health/live and /health/ready, kept under /health so that nginx can refuse the whole prefix from outside.
// Live: the process answers. Ready: database reachable, schema migrated, not draining (503 otherwise).
using System.Text.Json;
using Api.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Api.Health;

public static class HealthApi
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddHostedService<DrainOnShutdown>();
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<NotesContext>("database", tags: [ReadyTag])
            .AddCheck<PendingMigrationsCheck>("migrations", tags: [ReadyTag])
            .AddCheck<DrainingCheck>("draining", tags: [ReadyTag]);
        return builder;
    }

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health");

        group.MapHealthChecks("/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, report) =>
                context.Response.WriteAsJsonAsync(new { status = report.Status.ToString() }),
        });

        group.MapHealthChecks("/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
        });

        return group;
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var services = context.RequestServices;
        var body = new
        {
            status = report.Status.ToString(),
            draining = services.GetRequiredService<DrainState>().IsDraining,
            inFlight = services.GetRequiredService<InFlightRequests>().Count,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description ?? e.Value.Exception?.Message,
                }),
        };
        return context.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web);
    }
}
