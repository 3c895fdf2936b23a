// Behind nginx: take the client's address and scheme from X-Forwarded-For/-Proto (or X-Real-IP), but only from
// peers inside TRUSTED_PROXIES, and log each request with that real client address.
using System.Diagnostics;
using Api.Settings;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Api.Proxy;

public static partial class ProxyExtensions
{
    private const string RealIpHeader = "X-Real-IP";

    public static WebApplicationBuilder AddProxySupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((options, proxy) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback only; TRUSTED_PROXIES replaces them (its default includes loopback).
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var network in proxy.Value.GetNetworks())
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    public static IApplicationBuilder UseProxySupport(this IApplicationBuilder app)
    {
        // nginx setups often send only X-Real-IP. Present it as X-Forwarded-For so that the forwarded-headers
        // middleware applies the same trust rules to it.
        app.Use((context, next) =>
        {
            var headers = context.Request.Headers;
            if (!headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
                && headers.TryGetValue(RealIpHeader, out var realIp))
            {
                headers[ForwardedHeadersDefaults.XForwardedForHeaderName] = realIp;
            }

            return next(context);
        });
        app.UseForwardedHeaders();

        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("RequestLog");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                // A 5xx is logged at Warning: production keeps those lines when it turns the per-request log off
                // (appsettings.Production.json; nginx's access log has every request already).
                var status = context.Response.StatusCode;
                if (status >= 500)
                {
                    LogFailedRequest(logger, ClientAddress(context), context.Request.Method,
                        context.Request.Path + context.Request.QueryString, context.Request.Protocol, status,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.Request.Scheme);
                }
                else if (logger.IsEnabled(LogLevel.Information))
                {
                    LogRequest(logger, ClientAddress(context), context.Request.Method,
                        context.Request.Path + context.Request.QueryString, context.Request.Protocol, status,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.Request.Scheme);
                }
            }
        });
    }

    // Kestrel bound to [::] (as in the container) sees IPv4 peers as ::ffff:a.b.c.d; log the plain form.
    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "-",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    // One line per request. Production keeps only the 5xx ones (Logging:LogLevel:RequestLog is Warning in
    // appsettings.Production.json): nginx's access log already has a line per request, and a second one on the console
    // costs the API a good part of its throughput (bench/, side by side). Logging__LogLevel__RequestLog=Information
    // turns it back on.
    [LoggerMessage(LogLevel.Information,
        "{ClientIp} \"{Method} {Target} {Protocol}\" {StatusCode} {ElapsedMs:0.0}ms {Scheme}")]
    private static partial void LogRequest(ILogger logger, string clientIp, string method, string target,
        string protocol, int statusCode, double elapsedMs, string scheme);

    [LoggerMessage(LogLevel.Warning,
        "{ClientIp} \"{Method} {Target} {Protocol}\" {StatusCode} {ElapsedMs:0.0}ms {Scheme}")]
    private static partial void LogFailedRequest(ILogger logger, string clientIp, string method, string target,
        string protocol, int statusCode, double elapsedMs, string scheme);
}
