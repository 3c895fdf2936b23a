// Runs wrk (Debian package `wrk`, an established closed-loop HTTP load generator) and parses its text output.
// wrk is used for the throughput ceiling only: a closed loop measures how much a server can take, not how a
// fixed client rate is served (that is OpenLoopLoad's job).
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bench;

public sealed record WrkSettings(int Threads, int Connections, TimeSpan Duration, TimeSpan Timeout);

public sealed record WrkResult(
    string Url,
    int Threads,
    int Connections,
    double DurationSeconds,
    long Requests,
    double RequestsPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double LatencyMaxMs,
    long SocketErrorsConnect,
    long SocketErrorsRead,
    long SocketErrorsWrite,
    long SocketErrorsTimeout,
    long Non2xx3xx)
{
    public long Errors => SocketErrorsConnect + SocketErrorsRead + SocketErrorsWrite + SocketErrorsTimeout + Non2xx3xx;
}

public static partial class Wrk
{
    /// <summary>The first line of `wrk -v`, e.g. "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer".</summary>
    public static async Task<string> VersionAsync(CancellationToken ct)
    {
        // wrk -v prints its version and the usage text, and exits 1: the exit code says nothing here.
        var (_, output) = await RunAsync(["-v"], TimeSpan.FromSeconds(10), ct);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("wrk ", StringComparison.Ordinal));
        return line?.Trim() ?? throw new InvalidOperationException($"wrk -v printed no version line:\n{output}");
    }

    public static async Task<WrkResult> RunAsync(string url, WrkSettings s, CancellationToken ct)
    {
        string[] args =
        [
            "--threads", s.Threads.ToString(CultureInfo.InvariantCulture),
            "--connections", s.Connections.ToString(CultureInfo.InvariantCulture),
            "--duration", $"{(int)Math.Ceiling(s.Duration.TotalSeconds)}s",
            "--timeout", $"{(int)Math.Ceiling(s.Timeout.TotalSeconds)}s",
            "--latency",
            // nginx's default server answers unknown hosts with 444; the shipped config serves localhost.
            "--header", "Host: localhost",
            url,
        ];
        // Bounded: wrk's own duration plus a margin; a wrk that hangs is killed, not waited for.
        var (exit, output) = await RunAsync(args, s.Duration + s.Timeout + TimeSpan.FromSeconds(20), ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"wrk exited {exit} for {url}:\n{output}");
        }

        return Parse(url, s, output);
    }

    public static WrkResult Parse(string url, WrkSettings s, string output)
    {
        var requests = Match(RequestsLine(), output, "requests line");
        var distribution = LatencyDistribution().Matches(output)
            .ToDictionary(m => m.Groups["p"].Value, m => ParseTime(m.Groups["v"].Value, m.Groups["u"].Value));
        var latency = Match(LatencyLine(), output, "latency line");
        var socket = SocketErrors().Match(output);
        var non2xx = Non2xxLine().Match(output);

        return new WrkResult(
            url,
            s.Threads,
            s.Connections,
            ParseTime(requests.Groups["secs"].Value, requests.Groups["u"].Value) / 1000.0,
            long.Parse(requests.Groups["n"].Value, CultureInfo.InvariantCulture),
            double.Parse(Match(RequestsPerSecLine(), output, "Requests/sec").Groups["v"].Value, CultureInfo.InvariantCulture),
            distribution.TryGetValue("50", out var p50) ? p50 : throw Missing("50% latency", output),
            distribution.TryGetValue("99", out var p99) ? p99 : throw Missing("99% latency", output),
            ParseTime(latency.Groups["max"].Value, latency.Groups["maxu"].Value),
            socket.Success ? long.Parse(socket.Groups["c"].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? long.Parse(socket.Groups["r"].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? long.Parse(socket.Groups["w"].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? long.Parse(socket.Groups["t"].Value, CultureInfo.InvariantCulture) : 0,
            non2xx.Success ? long.Parse(non2xx.Groups["n"].Value, CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>
    /// Several runs against one target as one result: requests and errors summed, req/s and latency percentiles
    /// as the median of the runs, max latency as the max. (wrk's histograms are not in its output, so the runs'
    /// percentiles cannot be merged exactly.)
    /// </summary>
    public static WrkResult Combine(IReadOnlyList<WrkResult> runs)
    {
        var first = runs[0];
        return first with
        {
            DurationSeconds = Stats.Round(runs.Sum(r => r.DurationSeconds)),
            Requests = runs.Sum(r => r.Requests),
            RequestsPerSecond = Stats.Round(Stats.Median(runs.Select(r => r.RequestsPerSecond).ToList())),
            LatencyP50Ms = Stats.Round(Stats.Median(runs.Select(r => r.LatencyP50Ms).ToList())),
            LatencyP99Ms = Stats.Round(Stats.Median(runs.Select(r => r.LatencyP99Ms).ToList())),
            LatencyMaxMs = runs.Max(r => r.LatencyMaxMs),
            SocketErrorsConnect = runs.Sum(r => r.SocketErrorsConnect),
            SocketErrorsRead = runs.Sum(r => r.SocketErrorsRead),
            SocketErrorsWrite = runs.Sum(r => r.SocketErrorsWrite),
            SocketErrorsTimeout = runs.Sum(r => r.SocketErrorsTimeout),
            Non2xx3xx = runs.Sum(r => r.Non2xx3xx),
        };
    }

    /// <summary>wrk prints times with units us, ms, s, m or h (src/units.c); returns milliseconds.</summary>
    public static double ParseTime(string value, string unit)
    {
        var v = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => v / 1000.0,
            "ms" => v,
            "s" => v * 1000.0,
            "m" => v * 60_000.0,
            "h" => v * 3_600_000.0,
            _ => throw new FormatException($"unknown wrk time unit '{unit}'"),
        };
    }

    private static System.Text.RegularExpressions.Match Match(Regex r, string output, string what)
    {
        var m = r.Match(output);
        return m.Success ? m : throw Missing(what, output);
    }

    private static FormatException Missing(string what, string output) =>
        new($"wrk output has no {what}:\n{output}");

    private static async Task<(int Exit, string Output)> RunAsync(string[] args, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"wrk did not finish within {timeout.TotalSeconds:0}s");
        }

        return (p.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"(?<n>\d+) requests in (?<secs>[\d.]+)(?<u>us|ms|s|m|h),")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Requests/sec:\s+(?<v>[\d.]+)")]
    private static partial Regex RequestsPerSecLine();

    [GeneratedRegex(@"^\s+(?<p>50|75|90|99)%\s+(?<v>[\d.]+)(?<u>us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyDistribution();

    // "    Latency     1.23ms    2.34ms  45.67ms   90.12%": avg, stdev, max, +/- stdev.
    [GeneratedRegex(@"^\s+Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+(?<max>[\d.]+)(?<maxu>us|ms|s|m|h)", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Socket errors: connect (?<c>\d+), read (?<r>\d+), write (?<w>\d+), timeout (?<t>\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<n>\d+)")]
    private static partial Regex Non2xxLine();
}
