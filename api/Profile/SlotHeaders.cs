// X-Slot and X-App-Version on every response, errors and 404s included, so that a script can tell through nginx
// which slot answered. Set in OnStarting because the exception handler clears headers set earlier. A request refused by
// host filtering (400, unknown Host) has them too: Program.cs runs host filtering after this middleware.
using Api.Settings;

namespace Api.Profile;

public static class SlotHeaders
{
    public const string SlotHeader = "X-Slot";
    public const string VersionHeader = "X-App-Version";

    public static IApplicationBuilder UseSlotHeaders(this IApplicationBuilder app)
    {
        var instance = app.ApplicationServices.GetRequiredService<InstanceInfo>();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var (response, info) = ((HttpResponse, InstanceInfo))state;
                response.Headers[SlotHeader] = info.Slot;
                response.Headers[VersionHeader] = info.Version;
                return Task.CompletedTask;
            }, (context.Response, instance));
            return next(context);
        });
    }
}
