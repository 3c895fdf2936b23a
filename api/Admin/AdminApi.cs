// /admin/status: what a deploy script needs from one slot: its version, whether it drains, its in-flight count and
// how many requests it has started (deploy-scripts poll it to drain the old slot by observation).
// REVIEW: no authentication. nginx refuses /admin/ on the public server; the endpoint is reachable only on the
// compose network and through `docker compose exec ... probe`. It reads state and changes none.
using Api.Health;
using Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Admin;

public static class AdminApi
{
    public sealed record AdminStatus(
        string Slot, string Version, string Profile, bool Draining, int InFlight, long RequestsStarted,
        DateTimeOffset StartedAt);

    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin");
        group.MapGet("/status", GetStatus);
        return group;
    }

    private static Ok<AdminStatus> GetStatus(InstanceInfo instance, DrainState drain, InFlightRequests inFlight) =>
        TypedResults.Ok(new AdminStatus(
            instance.Slot, instance.Version, instance.Profile, drain.IsDraining, inFlight.Count, inFlight.Started,
            instance.StartedAt));
}
