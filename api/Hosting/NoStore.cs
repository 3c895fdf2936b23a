// `Cache-Control: no-store` on every response: each one reports live state (a note, a slot, readiness), and none
// may be kept by a browser, a proxy or a CDN and shown to someone else later. Set when the response starts, because
// the exception handler clears headers set earlier (as for X-Slot, Profile/SlotHeaders.cs).
using Microsoft.Net.Http.Headers;

namespace Api.Hosting;

public static class NoStore
{
    public static IApplicationBuilder UseNoStore(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers[HeaderNames.CacheControl] = "no-store";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
}
