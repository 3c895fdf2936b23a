// Staged deployments under the mixed load, with the real swap.ps1: stage then promote, stage then abort, canary
// 10 % -> 50 % -> promote, canary 10 % -> abort, one after the other in one load run on the proof's stack (one stack
// start-up for all four; each flow starts from what the one before left serving). Judged like the swaps: every
// client request counted, nginx's $status read, every acknowledged write stored exactly once, nginx never reloaded
// (same worker pids). Also: no load request reaches the new slot before the gate's warm-up ended; a client pinned
// to an aborted canary is served by the old slot from its next request on; and, published as figures, the p99 of
// the new slot's first second of real traffic against its steady state.
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Proof.Tests.Infrastructure;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests;

[Collection(ProofCollection.Name)]
public sealed class StagedRolloutTests(ProofStack fixture)
{
    /// <summary>How long each staged state is held under load: long enough for a steady-state sample.</summary>
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task StageCanaryPromoteAbort_FourFlowsUnderMixedLoad_NoRequestFails()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var ct = TestContext.Current.CancellationToken;
        var nginxWorkers = await proof.NginxWorkerPidsAsync();
        var flows = new List<Flow>();
        var pinned = new PinnedClient(proof.Stack.HttpsBase);
        // Four flows take several minutes on 2 cores: more than the default cap of one load run.
        var options = UnderLoad.Options with { MaxDuration = TimeSpan.FromMinutes(9) };

        // Act
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            flows.Add(await RunFlowAsync(proof, "stage -> promote", ["-Stage"], [], "-Promote", pinned: null, ct));
            if (!flows[^1].Succeeded)
            {
                return;
            }

            flows.Add(await RunFlowAsync(proof, "stage -> abort", ["-Stage"], [], "-Abort", pinned: null, ct));
            if (!flows[^1].Succeeded)
            {
                return;
            }

            flows.Add(await RunFlowAsync(proof, "canary 10 -> 50 -> promote", ["-Canary", "10"], ["50"], "-Promote",
                pinned: null, ct));
            if (!flows[^1].Succeeded)
            {
                return;
            }

            flows.Add(await RunFlowAsync(proof, "canary 10 -> abort", ["-Canary", "10"], [], "-Abort", pinned, ct));
        }, options);
        await pinned.DisposeAsync();
        Publish(run, flows, pinned);

        // Assert: every script run succeeded, and nothing failed in the whole run, seen by clients, nginx and PostgreSQL.
        Assert.Equal(4, flows.Count);
        Assert.All(flows, flow => Assert.True(flow.Succeeded, flow.Describe()));
        UnderLoad.AssertNothingFailed(run);
        UnderLoad.AssertNginxLoggedNoFailure(run);
        Assert.True(pinned.Failed == 0, $"the pinned client failed {pinned.Failed} of {pinned.Samples.Count} requests");

        foreach (var flow in flows)
        {
            var load = run.Load;
            var (from, to) = (flow.Runs[0].FromSlot, flow.Runs[0].ToSlot);
            var promoted = flow.Runs[^1].Version == "-Promote";
            // Staged, opt-in only (the load never opts in): everyone stays on the old slot until the promote's switch
            // or the abort. A canary sends the drawn share of the (cookie-less) load to the new slot.
            if (!flow.IsCanary)
            {
                UnderLoad.AssertAnsweredBy(load, from, flow.Runs[0].StartedAt, flow.Runs[^1].StartedAt, $"{flow.Name}: staged");
            }
            else
            {
                var share = flow.CanaryShare(load, 0);
                Assert.True(share.Requests > 100 && share.Percent is > 3 and < 25,
                    $"{flow.Name}: canary 10 % drew {share.Percent:F1} % of {share.Requests} requests to {to}");
            }

            // Afterwards: everyone on the slot the flow left serving, from the end of the promote or abort on.
            var serving = promoted ? to : from;
            var until = flow == flows[^1] ? load.StoppedAt : flows[flows.IndexOf(flow) + 1].Runs[0].StartedAt;
            UnderLoad.AssertAnsweredBy(load, serving, flow.Runs[^1].EndedAt, until, $"{flow.Name}: after it");
        }

        // Canary 10 -> 50: the change of split reached the new clients (all of the load's clients are new each time).
        var retargeted = flows[2].CanaryShare(run.Load, 1);
        Assert.True(retargeted.Percent is > 35 and < 65,
            $"canary 50 %: {retargeted.Percent:F1} % of {retargeted.Requests} requests went to the new slot");

        // The client pinned to the aborted canary: from the moment the abort cleared the candidate, the old slot.
        var abort = flows[3].Runs[^1];
        var cleared = abort.Steps.Single(s => s.Name.StartsWith("Route everyone to", StringComparison.Ordinal)).EndedAt!.Value;
        Assert.True(pinned.Samples.Count(s => s.StartedAt < cleared && s.Slot == abort.ToSlot) > 0,
            "the pinned client never reached the canary slot before the abort: it pinned nothing");
        var strays = pinned.Samples.Where(s => s.StartedAt > cleared && s.Slot != abort.FromSlot).ToList();
        Assert.True(strays.Count == 0, $"after the abort the pinned client still reached {abort.ToSlot} {strays.Count} times");
        Assert.Contains(pinned.Samples, s => s.StartedAt > cleared && s.Slot == abort.FromSlot);

        // Warm-up before any real request: the first answer the load got from the new slot started after the gate,
        // whose last part is the warm-up through nginx, had ended. The first second's p99 against the steady state
        // is published, not asserted: on a shared 2-core machine it swings with the machine's other work (docs/proof.md).
        foreach (var flow in flows)
        {
            var gate = flow.Runs[0].Steps.Single(s => s.Name.StartsWith("Gate", StringComparison.Ordinal));
            Assert.Contains("warm-up", gate.Name, StringComparison.Ordinal);
            var firstReal = run.Load.Samples
                .Where(s => s.Slot == flow.Runs[0].ToSlot && s.StartedAt >= flow.Runs[0].StartedAt)
                .Select(s => (DateTimeOffset?)s.StartedAt)
                .Min();
            if (firstReal is { } first)
            {
                Assert.True(first >= gate.EndedAt,
                    $"{flow.Name}: a load request reached {flow.Runs[0].ToSlot} at {first:HH:mm:ss.fff}, before the gate " +
                    $"and its warm-up ended at {gate.EndedAt:HH:mm:ss.fff}");
            }
        }

        Assert.Equal(nginxWorkers, await proof.NginxWorkerPidsAsync());
        Assert.Subset(nginxWorkers.ToHashSet(), run.Log.Pids.ToHashSet());
    }

    /// <summary>swap.ps1 start (Stage or Canary with the next version), optional retargets, then promote or abort,
    /// each followed by <see cref="Hold"/> under load.</summary>
    private static async Task<Flow> RunFlowAsync(
        ProofStack proof, string name, string[] start, string[] retargets, string finish, PinnedClient? pinned,
        CancellationToken ct)
    {
        var flow = new Flow(name, start[0] == "-Canary");
        var version = await proof.NextVersionAsync();
        var outcome = await SwapScript.RunCommandAsync(proof, $"{string.Join(' ', start)} {version}",
            [.. start, "-Version", version], ct);
        flow.Runs.Add(outcome);
        Figures.Publish(outcome.Describe());
        if (!outcome.Succeeded)
        {
            Figures.Publish(outcome.Output);
            return flow;
        }

        if (pinned is not null)
        {
            await pinned.StartAsync(outcome.ToSlot, ct);
        }

        await Task.Delay(Hold, ct);
        foreach (var percent in retargets)
        {
            var retarget = await SwapScript.RunCommandAsync(proof, $"-Canary {percent}", ["-Canary", percent], ct);
            flow.Runs.Add(retarget);
            Figures.Publish(retarget.Describe());
            if (!retarget.Succeeded)
            {
                Figures.Publish(retarget.Output);
                return flow;
            }

            await Task.Delay(Hold, ct);
        }

        var end = await SwapScript.RunCommandAsync(proof, finish, [finish], ct);
        flow.Runs.Add(end);
        Figures.Publish(end.Describe());
        if (!end.Succeeded)
        {
            Figures.Publish(end.Output);
        }

        await Task.Delay(Hold, ct);
        return flow;
    }

    private static void Publish(RunResult run, IReadOnlyList<Flow> flows, PinnedClient pinned)
    {
        Figures.Publish($"run {run.RunId}: {run.Load.Samples.Count} requests in " +
            $"{(run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds:F0} s, {flows.Count} staged flows");
        Figures.Publish(run.Describe());
        var warmups = new List<object>();
        foreach (var flow in flows)
        {
            Figures.Publish(flow.Describe());
            if (flow.Runs.Count > 0 && (flow.Runs[^1].Version == "-Promote" || flow.IsCanary))
            {
                var warm = flow.Warmup(run.Load);
                Figures.Publish($"{flow.Name}: warm-up measure: {warm.Describe()}");
                warmups.Add(new { flow.Name, warm.FirstSecond, warm.Steady, Ratio = Math.Round(warm.Ratio, 2), warm.FirstSecondPerKind });
            }
        }

        // The switch itself, on a slot that is warm by any measure (it has served half the traffic for a while): the
        // promote of the canary 10 -> 50 flow. What this costs is the switch's, not a cold start's.
        if (flows.Count > 2 && flows[2].Runs.Count == 3)
        {
            var switched = flows[2].Switch(run.Load);
            Figures.Publish($"{flows[2].Name}: the promote's switch on a warm slot: {switched.Describe()}");
            warmups.Add(new { Name = "switch of a warm slot (canary 50 % -> promote)", switched.FirstSecond, switched.Steady,
                Ratio = Math.Round(switched.Ratio, 2), switched.FirstSecondPerKind });
        }

        Figures.Publish($"pinned client: {pinned.Samples.Count} requests, {pinned.Failed} failed, " +
            $"{pinned.Samples.Count(s => s.Slot == "blue")} from blue, {pinned.Samples.Count(s => s.Slot == "green")} from green");
        Figures.Save(nameof(StageCanaryPromoteAbort_FourFlowsUnderMixedLoad_NoRequestFails), new
        {
            run.RunId,
            Seconds = Math.Round((run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds, 1),
            Requests = run.Load.Samples.Count,
            PerKind = run.Load.PerKind,
            Flows = flows.Select(f => new
            {
                f.Name,
                Runs = f.Runs.Select(r => new
                {
                    Command = r.Version,
                    r.Result.ExitCode,
                    Seconds = Math.Round(r.Duration.TotalSeconds, 1),
                    Steps = r.Steps.Select(s => new { s.Name, s.Seconds, s.Result }),
                }),
                CanaryShares = f.IsCanary
                    ? Enumerable.Range(0, f.Runs.Count - 1).Select(i => f.CanaryShare(run.Load, i)).ToList()
                    : [],
            }),
            Warmup = warmups,
            Pinned = new { Requests = pinned.Samples.Count, pinned.Failed },
            Nginx = new { run.Log.Entries.Count, ByStatus = run.Log.CountByStatus, AtLeast499 = run.Log.Failures.Count },
            Notes = run.Notes,
        });
    }

    /// <summary>One flow: its script runs in order (start, retargets, promote or abort).</summary>
    private sealed class Flow(string name, bool isCanary)
    {
        public string Name { get; } = name;

        public bool IsCanary { get; } = isCanary;

        public List<SwapOutcome> Runs { get; } = [];

        public bool Succeeded => Runs.Count > 0 && Runs.All(r => r.Succeeded);

        /// <summary>The share of the load's requests (all without cookies: each one a new client) answered by the
        /// new slot while the canary of run <paramref name="index"/> held (from its end to the next run's start).</summary>
        public Share CanaryShare(LoadReport load, int index)
        {
            var to = Runs[0].ToSlot;
            var samples = load.Samples
                .Where(s => s.IsSuccess && s.Kind != ClientKind.Long
                    && s.StartedAt >= Runs[index].EndedAt && s.StartedAt < Runs[index + 1].StartedAt)
                .ToList();
            return new Share(samples.Count, samples.Count == 0 ? 0 : 100.0 * samples.Count(s => s.Slot == to) / samples.Count);
        }

        /// <summary>
        /// The new slot's first second of real traffic (from its first answer to the load) against its steady state:
        /// for a canary, the rest of the first canary's hold; for a stage, the hold after the promote. p99 of every
        /// request but the 3 s ones, which measure the sleep they ask for.
        /// </summary>
        public WarmupMeasure Warmup(LoadReport load)
        {
            var to = Runs[0].ToSlot;
            var onNew = load.Samples.Where(s => s.IsSuccess && s.Kind != ClientKind.Long && s.Slot == to).ToList();
            var first = onNew.Where(s => s.StartedAt >= Runs[0].StartedAt).Select(s => (DateTimeOffset?)s.StartedAt).Min()
                ?? DateTimeOffset.MaxValue;
            var firstSecond = onNew.Where(s => s.StartedAt >= first && s.StartedAt < first + TimeSpan.FromSeconds(1));
            IEnumerable<RequestSample> steady = IsCanary
                ? onNew.Where(s => s.StartedAt >= first + TimeSpan.FromSeconds(1) && s.StartedAt < Runs[1].StartedAt)
                : onNew.Where(s => s.StartedAt >= Runs[^1].EndedAt && s.StartedAt < Runs[^1].EndedAt + Hold);
            var firstList = firstSecond.ToList();
            var perKind = string.Join(", ", firstList.GroupBy(s => s.Kind).OrderBy(g => g.Key)
                .Select(g => $"{g.Key} {Percentile99(g).P99Ms} ms ({g.Count()})"));
            return new WarmupMeasure(Percentile99(firstList), Percentile99(steady)) { FirstSecondPerKind = perKind };
        }

        /// <summary>The first second after the last run's switch (a promote) against the hold after it.</summary>
        public WarmupMeasure Switch(LoadReport load)
        {
            var to = Runs[0].ToSlot;
            var promote = Runs[^1];
            var switchedAt = promote.Steps.FirstOrDefault(s => s.Name.StartsWith("Switch", StringComparison.Ordinal))?.StartedAt
                ?? promote.StartedAt;
            var onNew = load.Samples.Where(s => s.IsSuccess && s.Kind != ClientKind.Long && s.Slot == to).ToList();
            var firstSecond = onNew.Where(s => s.StartedAt >= switchedAt && s.StartedAt < switchedAt + TimeSpan.FromSeconds(1)).ToList();
            var steady = onNew.Where(s => s.StartedAt >= promote.EndedAt && s.StartedAt < promote.EndedAt + Hold);
            var perKind = string.Join(", ", firstSecond.GroupBy(s => s.Kind).OrderBy(g => g.Key)
                .Select(g => $"{g.Key} {Percentile99(g).P99Ms} ms ({g.Count()})"));
            return new WarmupMeasure(Percentile99(firstSecond), Percentile99(steady)) { FirstSecondPerKind = perKind };
        }

        public string Describe() =>
            $"{Name}: " + string.Join("; ", Runs.Select(r => $"{r.Version}: exit {r.Result.ExitCode} in {r.Duration.TotalSeconds:F1} s"));

        private static Latency Percentile99(IEnumerable<RequestSample> samples)
        {
            var sorted = samples.Select(s => s.Latency.TotalMilliseconds).Order().ToList();
            var p99 = sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(0.99 * sorted.Count) - 1)];
            return new Latency(sorted.Count, Math.Round(p99, 1));
        }
    }

    private sealed record Share(int Requests, double Percent);

    private sealed record Latency(int Requests, double P99Ms);

    private sealed record WarmupMeasure(Latency FirstSecond, Latency Steady)
    {
        /// <summary>p99 of the first second per kind of client: where a cold path shows.</summary>
        public string FirstSecondPerKind { get; init; } = "";

        public double Ratio => Steady.P99Ms > 0 ? FirstSecond.P99Ms / Steady.P99Ms : double.PositiveInfinity;

        public string Describe() =>
            $"first second p99 {FirstSecond.P99Ms} ms ({FirstSecond.Requests} requests), steady p99 {Steady.P99Ms} ms " +
            $"({Steady.Requests} requests): {Ratio:F2}x; first second per kind: {FirstSecondPerKind}";
    }

    /// <summary>
    /// A browser-like client that keeps the canary's cookie: once drawn to the canary slot, it stays there (nginx's
    /// sticky cookie), one request every 50 ms, until disposed. Its samples show where its next request went after
    /// the abort.
    /// </summary>
    private sealed class PinnedClient(Uri httpsBase) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private HttpClient? _client;
        private Task? _loop;

        // The canary cookie as a browser keeps it: set by nginx's Set-Cookie, removed when nginx expires it.
        private string? _cookie;

        public List<RequestSample> Samples { get; } = [];

        public int Failed => Samples.Count(s => !s.IsSuccess);

        /// <summary>Draws until nginx pins this client to <paramref name="slot"/> (bounded), then starts the loop.</summary>
        public async Task StartAsync(string slot, CancellationToken ct)
        {
            var port = httpsBase.Port;
            var handler = new SocketsHttpHandler
            {
                UseCookies = false,
                AllowAutoRedirect = false,
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
            _client = new HttpClient(handler) { BaseAddress = LoadClients.ToClientBase(httpsBase), Timeout = TimeSpan.FromSeconds(30) };
            for (var attempt = 0; attempt < 300 && !ct.IsCancellationRequested; attempt++)
            {
                _cookie = null;
                var sample = await SendAsync(ct);
                if (sample.Slot == slot && _cookie is not null)
                {
                    Samples.Add(sample);
                    _loop = Task.Run(LoopAsync, CancellationToken.None);
                    return;
                }
            }

            throw new InvalidOperationException($"300 draws and none pinned to {slot}");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }

            _client?.Dispose();
            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Samples.Add(await SendAsync(CancellationToken.None));
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task<RequestSample> SendAsync(CancellationToken ct)
        {
            var started = DateTimeOffset.UtcNow;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/profile");
                if (_cookie is not null)
                {
                    request.Headers.Add("Cookie", _cookie);
                }

                using var response = await _client!.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                {
                    var pair = setCookies.Single().Split(';')[0];
                    _cookie = pair.EndsWith('=') ? null : pair;
                }

                var slot = response.Headers.TryGetValues("X-Slot", out var values) ? values.FirstOrDefault() : null;
                return new RequestSample(ClientKind.KeepAlive, -1, started, watch.Elapsed, (int)response.StatusCode, null, slot);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new RequestSample(ClientKind.KeepAlive, -1, started, watch.Elapsed, null, e.GetType().Name, null);
            }
        }
    }
}
