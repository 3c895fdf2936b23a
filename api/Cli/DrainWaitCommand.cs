// `drain-wait [--quiet 1] [--timeout 30]`: waits, inside the slot's container, until the slot is drained: 0 requests in
// flight, and no request started for --quiet seconds (the same rule as deploy-scripts' Wait-SlotDrain). It asks
// /admin/status on the management port every 50 ms over one kept-alive connection, so a drain costs one process
// (`docker exec <id> dotnet Api.dll drain-wait ...`) instead of one process per poll, each a .NET start on the cores
// the new slot has just begun serving on.
// Prints the last /admin/status body; exit 0 drained, 1 not drained within --timeout, 2 bad usage, 3 the slot did
// not answer (the caller looks at its container: a stopped slot has nothing in flight).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Api.Hosting;

namespace Api.Cli;

internal static class DrainWaitCommand
{
    public const int NotDrainedExitCode = 1;
    public const int NoAnswerExitCode = 3;
    private const string Usage = "drain-wait [--quiet 1] [--timeout 30]";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(string[] args)
    {
        // The verb takes options only; Parse wants a positional, so the verb's own name stands in for it.
        if (CommandLine.Parse("drain-wait", ["drain-wait", .. args], Usage, "quiet", "timeout") is not var (_, named))
        {
            return CommandLine.UsageExitCode;
        }

        if (!double.TryParse(named.GetValueOrDefault("quiet", "1"), NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var quiet) || quiet > 60
            || !int.TryParse(named.GetValueOrDefault("timeout", "30"), NumberStyles.None, CultureInfo.InvariantCulture,
                out var timeout) || timeout is < 1 or > 3600)
        {
            await Console.Error.WriteLineAsync($"drain-wait: expected --quiet 0-60 (seconds) and --timeout 1-3600. Usage: {Usage}");
            return CommandLine.UsageExitCode;
        }

        var configured = Environment.GetEnvironmentVariable("MANAGEMENT_PORT");
        var port = string.IsNullOrWhiteSpace(configured) ? ManagementPort.DefaultPort.ToString(CultureInfo.InvariantCulture)
            : configured.Trim();
        var url = new Uri($"http://127.0.0.1:{port}/admin/status");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        TimeSpan? quietSince = null;
        long? quietStarted = null;
        var body = "";
        while (true)
        {
            int inFlight;
            long? started;
            try
            {
                body = await client.GetStringAsync(url);
                using var doc = JsonDocument.Parse(body);
                inFlight = doc.RootElement.GetProperty("inFlight").GetInt32();
                started = doc.RootElement.GetProperty("requestsStarted").GetInt64();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException
                                          or KeyNotFoundException or InvalidOperationException)
            {
                await Console.Out.WriteLineAsync(body);
                await Console.Error.WriteLineAsync($"drain-wait: GET {url} failed: {e.Message}");
                return NoAnswerExitCode;
            }

            var now = deadline.Elapsed;
            if (inFlight != 0)
            {
                quietSince = null;
            }
            else if (quietSince is null || started != quietStarted)
            {
                quietSince = now;
                quietStarted = started;
            }
            else if ((now - quietSince.Value).TotalSeconds >= quiet)
            {
                await Console.Out.WriteLineAsync(body);
                return 0;
            }

            if (now.TotalSeconds >= timeout)
            {
                await Console.Out.WriteLineAsync(body);
                await Console.Error.WriteLineAsync($"drain-wait: not drained within {timeout} s");
                return NotDrainedExitCode;
            }

            await Task.Delay(Interval);
        }
    }
}
