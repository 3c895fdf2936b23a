// The readiness checks besides the library's database check (AddDbContextCheck): schema up to date, not draining.
using Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Api.Health;

/// <summary>Unhealthy while migrations are pending: this version's code needs a schema the database lacks.</summary>
internal sealed class PendingMigrationsCheck(NotesContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy("no pending migrations")
            : HealthCheckResult.Unhealthy($"{pending.Count} pending migration(s): {string.Join(", ", pending)}");
    }
}

internal sealed class DrainingCheck(DrainState drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy(drain.Reason)
            : HealthCheckResult.Healthy(drain.Reason));
}
