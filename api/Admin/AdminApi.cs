// /admin/status: what a deploy script needs from one slot: its version, whether it drains, its in-flight count and
// how many requests it has started (deploy-scripts poll it to drain the old slot by observation). It reads state
// and changes none. Reachable only on the management port (127.0.0.1:MANAGEMENT_PORT inside the container,
// Hosting/ManagementPort.cs): through `docker exec <slot container> dotnet Api.dll probe /admin/status`, never from
// nginx or the compose network.
using Api.Health;
using Api.Hosting;
using Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Admin;

public static class AdminApi
{
    /// <summary>
    /// DrainWait: this version has the `drain-wait` verb (Cli/DrainWaitCommand.cs), so a deploy script may wait for
    /// its drain with one process; an older slot (no such field) is polled instead.
    /// </summary>
    public sealed record AdminStatus(
        string Slot, string Version, string Profile, bool Draining, int InFlight, long RequestsStarted,
        DateTimeOffset StartedAt, bool DrainWait = true);

    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").RequireManagementPort();
        group.MapGet("/status", GetStatus);
        return group;
    }

    private static Ok<AdminStatus> GetStatus(InstanceInfo instance, DrainState drain, InFlightRequests inFlight) =>
        TypedResults.Ok(new AdminStatus(
            instance.Slot, instance.Version, instance.Profile, drain.IsDraining, inFlight.Count, inFlight.Started,
            instance.StartedAt));
}
