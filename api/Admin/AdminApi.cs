// /admin: what a deploy script needs from one slot: its status (draining, in-flight count) and a way to drain it.
// Reachable only on the management port (127.0.0.1:MANAGEMENT_PORT inside the container, Hosting/ManagementPort.cs):
// through `docker compose exec api-<slot> dotnet Api.dll probe /admin/...`, never from nginx or the compose network.
using Api.Health;
using Api.Hosting;
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
        var group = app.MapGroup("/admin").RequireManagementPort();
        group.MapGet("/status", GetStatus);
        group.MapPost("/drain", Drain);
        return group;
    }

    private static Ok<AdminStatus> GetStatus(InstanceInfo instance, DrainState drain, InFlightRequests inFlight) =>
        TypedResults.Ok(Status(instance, drain, inFlight));

    private static Accepted<AdminStatus> Drain(InstanceInfo instance, DrainState drain, InFlightRequests inFlight)
    {
        drain.Request();
        return TypedResults.Accepted("/admin/status", Status(instance, drain, inFlight));
    }

    private static AdminStatus Status(InstanceInfo instance, DrainState drain, InFlightRequests inFlight) =>
        new(instance.Slot, instance.Version, instance.Profile, drain.IsDraining, inFlight.Count, inFlight.Started,
            instance.StartedAt);
}
