// GET /profile: which slot, settings profile, version and (with EXPOSE_INSTANCE_DETAILS) host answered. The deploy
// scripts and the proof tests read it through nginx to see which slot is live.
using System.Text.Json.Serialization;
using Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Profile;

public static class ProfileApi
{
    public sealed record ProfileResponse(
        string Slot, string Profile, string Version,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Host);

    public static RouteGroupBuilder MapProfile(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/profile");
        group.MapGet("/", GetProfile);
        return group;
    }

    private static Ok<ProfileResponse> GetProfile(InstanceInfo instance) =>
        TypedResults.Ok(new ProfileResponse(instance.Slot, instance.Profile, instance.Version, instance.Host));
}
