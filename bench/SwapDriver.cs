// Runs the real deploy-scripts/swap.ps1 against the bench's stack and reads back the deploy record it writes
// (<StateDirectory>/deploys/*.json): every swap timing in the report comes from the script's own step timings.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Docker.Testing;

namespace Bench;

public sealed class SwapDriver(ComposeStack stack, string stateDirectory, TimeSpan timeout)
{
    private string ScriptPath => Path.Combine(RepoPaths.Root, "deploy-scripts", "swap.ps1");

    /// <summary>pwsh comes from the repository's local tool manifest (dotnet-tools.json).</summary>
    public static async Task RestoreToolsAsync(CancellationToken ct) =>
        (await ProcessRunner.RunAsync("dotnet", ["tool", "restore"], timeout: TimeSpan.FromMinutes(5), ct: ct))
            .EnsureSuccess("dotnet tool restore (pwsh)");

    public async Task<(SwapRun Run, string Output)> SwapAsync(int index, string version, CancellationToken ct)
    {
        var before = RecordFiles().ToHashSet(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", ScriptPath,
            "-Version", version,
            "-ProjectName", stack.ProjectName,
            "-ComposeFile", stack.ComposeFile,
            "-EnvFile", stack.EnvFile,
            "-StateDirectory", stateDirectory,
        ];
        var result = await ProcessRunner.RunAsync("dotnet", args, stack.Environment, timeout, ct);
        var wallMs = watch.Elapsed.TotalMilliseconds;
        var output = result.StdOut + result.StdErr;
        var record = RecordFiles().Where(f => !before.Contains(f)).Order(StringComparer.Ordinal).LastOrDefault();
        if (record is null)
        {
            // A swap refused at preflight or lock writes no record: a failed swap with no timings, not a crash.
            return (new SwapRun(index, "?", "?", result.ExitCode == 0 ? -1 : result.ExitCode, "NoRecord", double.NaN,
                double.NaN, double.NaN, double.NaN, Stats.Round(wallMs), null, []), output);
        }

        var run = Parse(index, result.ExitCode, wallMs, await File.ReadAllTextAsync(record, ct));
        return (run with { ContainerStartToReadyMs = await ContainerStartToReadyAsync(run.ToSlot, ct) }, output);
    }

    /// <summary>
    /// The new slot's container start to its first passing health check, from `docker inspect` right after the swap:
    /// Docker keeps the last 5 checks, and after the first pass the checks slow down to the normal interval, so the
    /// first passing one is still in the log. NaN when it is not (then the figure is left out, not guessed).
    /// </summary>
    private async Task<double> ContainerStartToReadyAsync(string slot, CancellationToken ct)
    {
        if (slot is not ("blue" or "green"))
        {
            return double.NaN;
        }

        var id = (await stack.ComposeAsync("ps", "--quiet", $"api-{slot}")).StdOut.Trim();
        if (id.Length == 0)
        {
            return double.NaN;
        }

        var inspect = await ProcessRunner.RunAsync("docker", ["inspect", "--format", "{{json .State}}", id],
            timeout: TimeSpan.FromSeconds(30), ct: ct);
        if (inspect.ExitCode != 0)
        {
            return double.NaN;
        }

        using var doc = JsonDocument.Parse(inspect.StdOut);
        var state = doc.RootElement;
        if (!DateTimeOffset.TryParse(state.GetProperty("StartedAt").GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var started) ||
            !state.TryGetProperty("Health", out var health) || health.ValueKind != JsonValueKind.Object)
        {
            return double.NaN;
        }

        var checks = health.GetProperty("Log").EnumerateArray()
            .Select(e => (Start: DateTimeOffset.Parse(e.GetProperty("Start").GetString()!, CultureInfo.InvariantCulture),
                End: DateTimeOffset.Parse(e.GetProperty("End").GetString()!, CultureInfo.InvariantCulture),
                Exit: e.GetProperty("ExitCode").GetInt32()))
            .Where(c => c.Start >= started)
            .OrderBy(c => c.Start)
            .ToList();
        var firstPass = checks.FindIndex(c => c.Exit == 0);
        // A pass that is the oldest check kept may not be the first one: earlier checks may have rolled off. Only a
        // log that still holds a failed check before the pass, or the very first check of the container, is exact.
        if (firstPass < 0 || (firstPass == 0 && checks.Count >= 5))
        {
            return double.NaN;
        }

        return Stats.Round((checks[firstPass].End - started).TotalMilliseconds);
    }

    private IEnumerable<string> RecordFiles()
    {
        var dir = Path.Combine(stateDirectory, "deploys");
        return Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*.json") : [];
    }

    /// <summary>
    /// Reduces a deploy record to the report's four timings. Steps (swap.ps1): 1 Preflight, 2 Lock, 3 Start idle slot
    /// (retag, migrate, compose up), 4 Gate (ready + smoke test), 5 Switch nginx, 6 Verify through nginx, 7 Drain,
    /// 8 Stop, 9 Record. The record has each step's duration, not its start; steps run back to back, so each start
    /// is the record's StartedAt plus the durations before it (REVIEW: off by the few ms between two steps).
    /// </summary>
    public static SwapRun Parse(int index, int exitCode, double wallMs, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var startedAt = ReadTime(root, "StartedAt");
        var steps = new List<SwapStep>();
        var cursor = startedAt;
        var byNumber = new Dictionary<int, double>();
        foreach (var s in root.GetProperty("Steps").EnumerateArray())
        {
            var ms = s.GetProperty("Seconds").GetDouble() * 1000.0;
            var number = s.GetProperty("Number").GetInt32();
            var end = cursor?.AddMilliseconds(ms);
            steps.Add(new SwapStep($"{number} {s.GetProperty("Name").GetString()} ({s.GetProperty("Result").GetString()})",
                Stats.Round(ms), cursor, end));
            byNumber[number] = byNumber.GetValueOrDefault(number) + ms;
            cursor = end;
        }

        double Step(params int[] numbers) =>
            numbers.All(byNumber.ContainsKey) ? Stats.Round(numbers.Sum(n => byNumber[n])) : double.NaN;

        var switchStep = steps.FirstOrDefault(s => s.Name.StartsWith("5 ", StringComparison.Ordinal));
        var drainPassed = steps.Any(s => s.Name.StartsWith("7 ", StringComparison.Ordinal) &&
            s.Name.EndsWith("(ok)", StringComparison.Ordinal));
        var notDrained = root.TryGetProperty("Warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array &&
            warnings.EnumerateArray().Any(w => w.GetString()?.Contains("not drained", StringComparison.Ordinal) == true);
        return new SwapRun(
            index,
            Str(root, "FromSlot") ?? "?",
            Str(root, "ToSlot") ?? "?",
            exitCode,
            Str(root, "Result"),
            StartToReadyMs: Step(3, 4),
            ReadyToTrafficMs: Step(5, 6),
            DrainMs: Step(7),
            // Everything the operator waits for; no step builds an image because the bench passes a built tag.
            TotalMs: Stats.Round(byNumber.Values.Sum()),
            WallMs: Stats.Round(wallMs),
            SwitchedAt: switchStep?.EndedAt,
            Steps: steps) { Drained = drainPassed && !notDrained };
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? ReadTime(JsonElement e, string name)
    {
        // ConvertTo-Json writes a DateTimeOffset as an ISO 8601 string.
        var s = Str(e, name);
        return s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;
    }
}
