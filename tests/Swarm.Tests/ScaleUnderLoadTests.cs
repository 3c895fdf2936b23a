// nginx balances over a slot's tasks itself (nginx/swarm/upstreams/: tasks.api-<slot>, resolved at run time), so a
// task that Swarm starts or stops is followed without a reload. Proved under the proof's mixed load while the serving
// slot is scaled up and down on a 2-node swarm: no request fails, new tasks on both nodes take traffic, a removed
// task takes none, and nginx's workers are the same before and after.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Swarm.Tests.Infrastructure;
using Xunit;

namespace Swarm.Tests;

[Collection(SwarmCollection.Name)]
public sealed class ScaleUnderLoadTests(SwarmFixture fixture)
{
    private static readonly int[] Steps = [3, 1, 2];

    /// <summary>After a scale step, the time nginx may take to see the new set of tasks (resolver valid=1s).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Scale_ServingSlotUpAndDownUnderMixedLoad_NoRequestFailsAndNginxFollowsTasksWithoutReload()
    {
        // Arrange
        var stack = await fixture.ReadyAsync();
        var initial = await stack.TasksAsync("api-blue");
        Assert.True(initial.Select(t => t.Node).Distinct().Count() >= 2,
            $"blue's tasks should run on both nodes: {Describe(initial)}");
        var workers = await stack.NginxWorkerPidsAsync();
        var nodeOf = initial.ToDictionary(t => t.Address, t => t.Node);
        var steps = new List<ScaleStep>();

        // Act
        var run = await SwarmUnderLoad.RunAsync(stack, async () =>
        {
            foreach (var replicas in Steps)
            {
                var started = DateTimeOffset.UtcNow;
                var watch = Stopwatch.StartNew();
                await stack.ScaleAsync("blue", replicas);
                var tasks = await stack.TasksAsync("api-blue");
                foreach (var task in tasks)
                {
                    nodeOf[task.Address] = task.Node;
                }

                steps.Add(new ScaleStep(replicas, started, DateTimeOffset.UtcNow, watch.Elapsed.TotalSeconds, tasks));
                Report.Publish($"scaled blue to {replicas} in {watch.Elapsed.TotalSeconds:F1} s: {Describe(tasks)}");
                await Task.Delay(Settle + TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            }
        });
        var served = ServedBy(run);
        Publish(run, steps, served, nodeOf);

        // Assert
        SwarmUnderLoad.AssertNothingFailed(run);
        Assert.Equal(Steps, steps.Select(s => s.Tasks.Count));
        // Tasks on both nodes answered through nginx during the run.
        var nodesServed = served.Select(s => nodeOf.GetValueOrDefault(s.Address)).OfType<string>().Distinct().ToList();
        Assert.True(nodesServed.Count >= 2, $"nginx reached tasks on {nodesServed.Count} node(s) only");
        // Every task that the scale-up started took traffic: nginx followed it without a reload.
        var scaledUp = steps[0].Tasks.Select(t => t.Address).ToHashSet();
        var seen = served.Select(s => s.Address).ToHashSet();
        Assert.True(scaledUp.IsSubsetOf(seen),
            $"tasks started by the scale-up never served: {string.Join(", ", scaledUp.Except(seen))}");
        // Once the scale-down has finished and nginx's resolver has caught up, only the remaining task serves.
        var remaining = steps[1].Tasks.Select(t => t.Address).ToHashSet();
        var strays = served
            .Where(s => s.At > steps[1].EndedAt + Settle && s.At < steps[2].StartedAt && !remaining.Contains(s.Address))
            .ToList();
        Assert.True(strays.Count == 0,
            $"{strays.Count} requests reached a removed task, e.g. {string.Join(", ", strays.Take(3).Select(s => s.Address))}");
        // No reload, no restart: the same workers before and after, and only they served.
        Assert.Equal(workers, await stack.NginxWorkerPidsAsync());
        Assert.Subset(workers.ToHashSet(), run.Log.Pids.ToHashSet());
    }

    private sealed record ScaleStep(
        int Replicas, DateTimeOffset StartedAt, DateTimeOffset EndedAt, double Seconds, IReadOnlyList<SwarmTask> Tasks);

    /// <summary>One proxied request from nginx's log: when it ended (msec) and the task address that answered.</summary>
    private sealed record Served(DateTimeOffset At, string Address);

    private static List<Served> ServedBy(SwarmRunResult run) => run.Log.Entries
        .Where(e => e.UpstreamAddr is { Length: > 0 } addr && addr != "-")
        .Select(e =>
        {
            using var json = JsonDocument.Parse(e.Raw);
            var msec = json.RootElement.GetProperty("msec").GetDouble();
            // The last address tried ("10.0.2.5:8080" or "a:8080, b:8080" after a retry) is the one that answered.
            var last = e.UpstreamAddr!.Split(',', StringSplitOptions.TrimEntries)[^1];
            return new Served(DateTimeOffset.FromUnixTimeMilliseconds((long)(msec * 1000)), last.Split(':')[0]);
        })
        .ToList();

    private static string Describe(IEnumerable<SwarmTask> tasks) =>
        string.Join(", ", tasks.Select(t => $"{t.Address}@{t.Node}"));

    private static void Publish(SwarmRunResult run, List<ScaleStep> steps, List<Served> served,
        Dictionary<string, string> nodeOf)
    {
        var byNode = served.GroupBy(s => nodeOf.GetValueOrDefault(s.Address) ?? "?")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        Report.Publish($"run {run.RunId}: {run.Load.Samples.Count} requests in " +
            $"{(run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds:F0} s, scaled blue {string.Join(" -> ", Steps)}");
        Report.Publish(run.Describe());
        Report.Publish("proxied requests by node: " + string.Join(", ", byNode.Select(kv => $"{kv.Key}: {kv.Value}")));
        Report.Save("scaleUnderLoad", new
        {
            Requests = run.Load.Samples.Count,
            Failed = run.Load.Failures.Count(),
            NginxStatusAtLeast499 = run.Log.Failures.Count,
            PerKind = run.Load.PerKind.Select(k => new { k.Kind, k.Requests, k.Failed }),
            Steps = steps.Select(s => new
            {
                s.Replicas,
                Seconds = Math.Round(s.Seconds, 1),
                Tasks = s.Tasks.Select(t => $"{t.Address}@{t.Node}"),
            }),
            ProxiedByNode = byNode,
            Notes = run.Notes.Describe(),
            Duration = (run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds.ToString("F0", CultureInfo.InvariantCulture),
        });
    }
}
