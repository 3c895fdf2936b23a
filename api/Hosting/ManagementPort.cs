// The management port: /admin answers only on a second Kestrel endpoint, 127.0.0.1:MANAGEMENT_PORT (9090), which
// only a process inside the same container reaches, such as the deploy scripts' `docker compose exec api-<slot>
// dotnet Api.dll probe /admin/status` (the probe verb goes there for /admin paths by itself). On the public port
// (8080, which nginx and everything on the compose network reach) an /admin request gets 404, as if there were no
// such route. The test is the port the connection arrived on, not the Host header, which any client writes
// (RequireHost("*:9090") alone would let `Host: x:9090` through on 8080).
// /health stays on the public port: it changes nothing, and Docker's HEALTHCHECK, Testcontainers' wait strategies
// and any orchestrator probe the serving port; nginx refuses it from outside (docs/security.md, "Internal endpoints").
using System.Globalization;
using Api.Settings;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Api.Hosting;

public static class ManagementPort
{
    public const int DefaultPort = 9090;

    /// <summary>
    /// Adds http://127.0.0.1:MANAGEMENT_PORT to the addresses Kestrel binds, next to the public ones
    /// (ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS, else Kestrel's default), which it keeps as they are.
    /// </summary>
    /// <exception cref="StartupFailedException">The public addresses already use the management port.</exception>
    public static WebApplicationBuilder AddManagementPort(this WebApplicationBuilder builder)
    {
        // Read raw: AppOptionsValidator reports a bad value with the others, once the host is built.
        var raw = builder.Configuration[$"{AppOptions.SectionName}:{nameof(AppOptions.ManagementPort)}"];
        if (!Expect.TryInteger(raw, 1, 65535, out var port))
        {
            return builder;
        }

        var publicUrls = PublicUrls(builder.WebHost);
        if (publicUrls.Any(url => BindingAddress.Parse(url).Port == port))
        {
            throw new StartupFailedException(Expect.Message("MANAGEMENT_PORT",
                $"a port the public addresses ({string.Join(';', publicUrls)}) do not use", raw));
        }

        builder.WebHost.UseUrls([.. publicUrls, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"]);
        // The ports are now part of the URLs; left set, they would make the host warn that URLs override them.
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
        return builder;
    }

    /// <summary>Marks the endpoints of a group as management-only (see <see cref="UseManagementPort"/>).</summary>
    public static RouteGroupBuilder RequireManagementPort(this RouteGroupBuilder group) =>
        group.WithMetadata(ManagementEndpoint.Instance);

    /// <summary>404 for a management endpoint reached on any other port. Runs after routing has chosen it.</summary>
    public static IApplicationBuilder UseManagementPort(this WebApplication app)
    {
        var port = app.Services.GetRequiredService<IOptions<AppOptions>>().Value.GetManagementPort();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ManagementEndpoint>() is null
                || context.Connection.LocalPort == port)
            {
                return next(context);
            }

            // No body: UseStatusCodePages answers it as any other 404.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static string[] PublicUrls(IWebHostBuilder webHost)
    {
        static string[] Split(string? value) =>
            (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var urls = Split(webHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Length > 0)
        {
            return urls;
        }

        // What Kestrel would make of ASPNETCORE_HTTP_PORTS / ASPNETCORE_HTTPS_PORTS (the container's 8080).
        string[] ports =
        [
            .. Split(webHost.GetSetting(WebHostDefaults.HttpPortsKey)).Select(p => $"http://*:{p}"),
            .. Split(webHost.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(p => $"https://*:{p}"),
        ];
        return ports.Length > 0 ? ports : ["http://localhost:5000"];
    }

    private sealed class ManagementEndpoint
    {
        public static readonly ManagementEndpoint Instance = new();
    }
}
