// Open-loop load at a fixed request rate from the bench process itself. Request i is due at start + i/rate
// whether or not earlier ones have answered, and its latency is measured from when it was DUE, not from when it
// was sent: a stall therefore shows up in the latency of every request it delayed ("coordinated omission" is
// avoided, as wrk2 does). Each response is attributed to a slot by its X-Slot header.
// REVIEW: the client runs on the machine it measures and takes some of its 2 cores; at 200 req/s that is small,
// and wrk2 itself is not packaged for Debian.
using System.Diagnostics;
using System.Net;

namespace Bench;

/// <summary>One request. Times are milliseconds on the bench's shared clock (<see cref="BenchClock"/>).</summary>
public sealed record Sample(double DueMs, double SentMs, double EndMs, int Status, string? Slot, string? Error)
{
    public double LatencyMs => EndMs - DueMs;

    /// <summary>A request failed when no 2xx came back: a non-2xx status, a transport error or a timeout.</summary>
    public bool Failed => Error is not null || Status is < 200 or > 299;
}

/// <summary>One clock for the whole run, so that swap events (wall-clock) and samples (stopwatch) line up.</summary>
public sealed class BenchClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public DateTimeOffset Origin { get; } = DateTimeOffset.UtcNow;

    public double NowMs => _watch.Elapsed.TotalMilliseconds;

    public double ToMs(DateTimeOffset wallClock) => (wallClock - Origin).TotalMilliseconds;
}

public static class OpenLoopLoad
{
    /// <summary>
    /// Sends GETs to <paramref name="url"/> at <paramref name="ratePerSecond"/> for <paramref name="duration"/>, or
    /// until <paramref name="stop"/> fires if that is sooner, and returns one sample per request.
    /// </summary>
    public static async Task<Sample[]> RunAsync(
        HttpClient client,
        Uri url,
        double ratePerSecond,
        TimeSpan duration,
        TimeSpan requestTimeout,
        BenchClock clock,
        CancellationToken stop,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ratePerSecond, 0);
        // Bounded in count (rate x duration) and in time (duration + one request timeout).
        var count = (int)Math.Ceiling(ratePerSecond * duration.TotalSeconds);
        var interval = 1000.0 / ratePerSecond;
        var tasks = new List<Task<Sample>>(count);
        var start = clock.NowMs;
        for (var i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            ct.ThrowIfCancellationRequested();
            var due = start + i * interval;
            var wait = due - clock.NowMs;
            if (wait > 1)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    break;
                }
            }

            tasks.Add(SendAsync(client, url, due, requestTimeout, clock, ct));
        }

        return await Task.WhenAll(tasks);
    }

    private static async Task<Sample> SendAsync(
        HttpClient client, Uri url, double due, TimeSpan timeout, BenchClock clock, CancellationToken ct)
    {
        // Off the scheduling loop: a slow connect must not delay the next request's send.
        await Task.Yield();
        var sent = clock.NowMs;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            // A request made here keeps HttpRequestMessage's own default (HTTP/1.1) unless told: the client's version
            // and policy decide, so that an HTTP/2 client really sends HTTP/2.
            using var request = new HttpRequestMessage(HttpMethod.Get, url)
            {
                Version = client.DefaultRequestVersion,
                VersionPolicy = client.DefaultVersionPolicy,
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token);
            var slot = response.Headers.TryGetValues("X-Slot", out var values) ? values.FirstOrDefault() : null;
            var status = (int)response.StatusCode;
            return new Sample(due, sent, clock.NowMs, status, slot,
                response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Sample(due, sent, clock.NowMs, 0, null, $"timeout after {timeout.TotalSeconds:0}s");
        }
        catch (HttpRequestException e)
        {
            // Keep the innermost cause (e.g. "Connection reset by peer"): that is what tells a reload reset
            // from a refused connect.
            var root = e.GetBaseException();
            return new Sample(due, sent, clock.NowMs, 0, null, $"{e.HttpRequestError}: {root.Message}");
        }
    }
}
