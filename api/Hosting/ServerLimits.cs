// builder.AddServerLimits() and app.UseRequestBodyLimit(): Kestrel's own limits, in line with nginx's at the edge
// (nginx/http/basics.conf), so that a slot reached without nginx (from the compose network) refuses the same
// requests, and says so in the same way: 413 with a ProblemDetails body for a body over the limit, 431 for headers.
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Api.Hosting;

public static class ServerLimits
{
    /// <summary>
    /// Largest request body: a note is at most 1,000 characters (Data/Note.cs), at most 6 bytes each in JSON
    /// (\uXXXX), so about 6 KB. nginx's client_max_body_size is the same 16k (tests/Api.Tests/ServerLimitsTests.cs
    /// compares them).
    /// </summary>
    public const long MaxRequestBodyBytes = 16 * 1024;

    /// <summary>Same as nginx's client_header_timeout.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    public static WebApplicationBuilder AddServerLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.Limits;
            // Default: 30 MB.
            limits.MaxRequestBodySize = MaxRequestBodyBytes;
            // Default: 30 s.
            limits.RequestHeadersTimeout = RequestHeadersTimeout;
            // Defaults, stated because nginx's large_client_header_buffers (4 8k) is chosen to match them: a request
            // line of 8 KB and headers of 32 KB at most, 100 header fields.
            limits.MaxRequestLineSize = 8 * 1024;
            limits.MaxRequestHeadersTotalSize = 32 * 1024;
            limits.MaxRequestHeaderCount = 100;
            // Default: true ("Server: Kestrel"). Names the server software to anyone who reaches a slot directly.
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>
    /// 413 before the endpoint runs when Content-Length already says the body is too large. Kestrel enforces
    /// MaxRequestBodySize while reading as well (chunked bodies), but then the endpoint has started.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.ContentLength is not > MaxRequestBodyBytes)
            {
                return next(context);
            }

            // No body: UseStatusCodePages writes the ProblemDetails.
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        });
}
