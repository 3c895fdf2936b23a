// `probe <path> [--host 127.0.0.1] [--port 8080] [--timeout 5]`: the image has no curl, so the Dockerfile HEALTHCHECK
// and the deploy scripts (`docker compose exec api-blue dotnet Api.dll probe /health/ready`) ask the app itself.
// /admin paths go to the management port (MANAGEMENT_PORT, default 9090) unless --port says otherwise: that is the
// only port where /admin answers (Hosting/ManagementPort.cs), and the deploy scripts' `probe /admin/status` needs
// no port of its own.
// --host reaches another service on the compose network: the swap's gate asks nginx's internal preview server
// (`probe /green/profile --host nginx --port 8081`) whether nginx already reaches the new slot.
// Prints the body; exit 0 on 2xx, 1 otherwise (including no answer), 2 on bad usage.
using System.Globalization;
using Api.Hosting;

namespace Api.Cli;

internal static class ProbeCommand
{
    private const string Usage = "probe <path> [--host 127.0.0.1] [--port 8080, or 9090 for /admin] [--timeout 5]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.Parse("probe", args, Usage, "host", "port", "timeout") is not var (path, named))
        {
            return CommandLine.UsageExitCode;
        }

        var host = named.GetValueOrDefault("host", "127.0.0.1");
        var port = named.GetValueOrDefault("port", DefaultPort(path));
        var timeout = named.GetValueOrDefault("timeout", "5");
        if (!path.StartsWith('/')
            || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4)
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber)
            || portNumber is < 1 or > 65535
            || !int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < 1)
        {
            await Console.Error.WriteLineAsync(
                $"probe: expected a path starting with '/', a host name or IPv4 address, a port 1-65535 and a " +
                $"timeout >= 1 s. Usage: {Usage}");
            return CommandLine.UsageExitCode;
        }

        var url = new Uri($"http://{host}:{portNumber}{path}");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(seconds) };
        try
        {
            using var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            await Console.Out.WriteLineAsync(body);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"probe: GET {url} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"probe: GET {url} failed: {e.Message}");
            return 1;
        }
    }

    private static string DefaultPort(string path)
    {
        // A path without the leading '/' is refused below; PathString would throw on it here.
        if (!path.StartsWith('/')
            || !new PathString(path.Split('?', 2)[0]).StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return "8080";
        }

        var configured = Environment.GetEnvironmentVariable("MANAGEMENT_PORT");
        return string.IsNullOrWhiteSpace(configured)
            ? ManagementPort.DefaultPort.ToString(CultureInfo.InvariantCulture)
            : configured.Trim();
    }
}
