// The readiness checks besides the library's database check (AddDbContextCheck): schema up to date, not draining,
// and the FAIL_READINESS test hook.
using Api.Data;
using Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

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

/// <summary>Test hook FAIL_READINESS: a version that never becomes ready.</summary>
internal sealed class FailReadinessCheck(IOptions<TestHooksOptions> hooks) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(hooks.Value.GetFailReadiness()
            ? HealthCheckResult.Unhealthy("FAIL_READINESS=true (test hook)")
            : HealthCheckResult.Healthy("off"));
}
