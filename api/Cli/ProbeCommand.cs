// `probe <path> [--port 8080] [--timeout 5]`: the image has no curl, so the Dockerfile HEALTHCHECK and the deploy
// scripts (`docker compose exec api-blue dotnet Api.dll probe /health/ready`) ask the app itself.
// Prints the body; exit 0 on 2xx, 1 otherwise (including no answer), 2 on bad usage.
using System.Globalization;

namespace Api.Cli;

internal static class ProbeCommand
{
    private const string Usage = "probe <path> [--port 8080] [--timeout 5]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.Parse("probe", args, Usage, "port", "timeout") is not var (path, named))
        {
            return CommandLine.UsageExitCode;
        }

        var port = named.GetValueOrDefault("port", "8080");
        var timeout = named.GetValueOrDefault("timeout", "5");
        if (!path.StartsWith('/')
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber)
            || portNumber is < 1 or > 65535
            || !int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < 1)
        {
            await Console.Error.WriteLineAsync(
                $"probe: expected a path starting with '/', a port 1-65535 and a timeout >= 1 s. Usage: {Usage}");
            return CommandLine.UsageExitCode;
        }

        var url = new Uri($"http://127.0.0.1:{portNumber}{path}");
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
}
