// Runs the real deploy-scripts/swap.ps1 against the bench's stack and reads back the history entry it appends
// (status.ps1 -History -Last 1 -Json; the history lives in the stack's PostgreSQL): every swap timing in the report
// comes from the script's own step timings.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Docker.Testing;

namespace Bench;

public sealed class SwapDriver(ComposeStack stack, TimeSpan timeout)
{
    private string ScriptPath => Path.Combine(RepoPaths.Root, "deploy-scripts", "swap.ps1");

    private string StatusScriptPath => Path.Combine(RepoPaths.Root, "deploy-scripts", "status.ps1");

    /// <summary>pwsh comes from the repository's local tool manifest (dotnet-tools.json).</summary>
    public static async Task RestoreToolsAsync(CancellationToken ct) =>
        (await ProcessRunner.RunAsync("dotnet", ["tool", "restore"], timeout: TimeSpan.FromMinutes(5), ct: ct))
            .EnsureSuccess("dotnet tool restore (pwsh)");

    public async Task<(SwapRun Run, string Output)> SwapAsync(int index, string version, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", ScriptPath,
            "-Version", version,
            "-ProjectName", stack.ProjectName,
            "-ComposeFile", stack.ComposeFile,
            "-EnvFile", stack.EnvFile,
        ];
        var result = await ProcessRunner.RunAsync("dotnet", args, stack.Environment, timeout, ct);
        var wallMs = watch.Elapsed.TotalMilliseconds;
        var output = result.StdOut + result.StdErr;
        var record = await LatestRecordAsync(startedAt, ct);
        if (record is null)
        {
            // A swap refused at preflight or lock writes no record: a failed swap with no timings, not a crash.
            return (new SwapRun(index, "?", "?", result.ExitCode == 0 ? -1 : result.ExitCode, "NoRecord", double.NaN,
                double.NaN, double.NaN, double.NaN, Stats.Round(wallMs), null, []), output);
        }

        var run = Parse(index, result.ExitCode, wallMs, record);
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

    /// <summary>The newest history entry, as JSON, when it was started by this swap; null when none was appended.</summary>
    private async Task<string?> LatestRecordAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", StatusScriptPath, "-History", "-Last", "1",
            "-Json", "-ProjectName", stack.ProjectName, "-ComposeFile", stack.ComposeFile, "-EnvFile", stack.EnvFile,
        ];
        var result = await ProcessRunner.RunAsync("dotnet", args, stack.Environment, TimeSpan.FromMinutes(2), ct);
        if (result.ExitCode != 0 || result.StdOut.Trim().Length == 0)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(result.StdOut);
        var entries = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [doc.RootElement];
        var entry = entries.FirstOrDefault();
        var entryStart = entry.ValueKind == JsonValueKind.Object ? ReadTime(entry, "StartedAt") : null;
        // One second of slack: the script's clock reading and ours are taken a moment apart.
        return entryStart is not null && entryStart >= startedAt.AddSeconds(-1) ? entry.GetRawText() : null;
    }

    /// <summary>
    /// Reduces a history entry to the report's four timings. The steps are found by name (swap.ps1: Lock, Preflight,
    /// Hook pre-deploy, Start idle slot, Gate, Switch nginx, Verify through nginx, Hook post-switch, Drain, Stop, Hook
    /// post-deploy, Hook on-failure, Record), so a new step does not shift them. Each step's start is the entry's
    /// StartedAt plus the durations before it (steps run back to back; off by the few ms between two steps).
    /// </summary>
    public static SwapRun Parse(int index, int exitCode, double wallMs, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var startedAt = ReadTime(root, "StartedAt");
        var steps = new List<SwapStep>();
        var cursor = startedAt;
        var byKind = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in root.GetProperty("Steps").EnumerateArray())
        {
            var ms = s.GetProperty("Seconds").GetDouble() * 1000.0;
            var number = s.GetProperty("Number").GetInt32();
            var name = s.GetProperty("Name").GetString() ?? "";
            var end = cursor?.AddMilliseconds(ms);
            steps.Add(new SwapStep($"{number} {name} ({s.GetProperty("Result").GetString()})", Stats.Round(ms), cursor, end));
            var kind = StepKind(name);
            byKind[kind] = byKind.GetValueOrDefault(kind) + ms;
            cursor = end;
        }

        double Step(params string[] kinds) =>
            kinds.All(byKind.ContainsKey) ? Stats.Round(kinds.Sum(k => byKind[k])) : double.NaN;

        var switchStep = steps.FirstOrDefault(s => s.Name.Contains(" Switch nginx", StringComparison.Ordinal));
        var drainPassed = steps.Any(s => s.Name.Contains(" Drain ", StringComparison.Ordinal) &&
            s.Name.EndsWith("(ok)", StringComparison.Ordinal));
        var notDrained = root.TryGetProperty("Warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array &&
            warnings.EnumerateArray().Any(w => w.GetString()?.Contains("not drained", StringComparison.Ordinal) == true);
        return new SwapRun(
            index,
            Str(root, "FromSlot") ?? "?",
            Str(root, "ToSlot") ?? "?",
            exitCode,
            Str(root, "Result"),
            StartToReadyMs: Step("start", "gate"),
            ReadyToTrafficMs: Step("switch", "verify"),
            DrainMs: Step("drain"),
            // Everything the operator waits for; no step builds an image because the bench passes a built tag.
            TotalMs: Stats.Round(byKind.Values.Sum()),
            WallMs: Stats.Round(wallMs),
            SwitchedAt: switchStep?.EndedAt,
            Steps: steps) { Drained = drainPassed && !notDrained };
    }

    /// <summary>Whether a step of a swap is of a kind: start, gate, switch, verify, drain or stop.</summary>
    public static bool IsStep(SwapStep step, string kind)
    {
        // SwapStep names read "<number> <name> (<result>)".
        var space = step.Name.IndexOf(' ', StringComparison.Ordinal);
        return StepKind(space < 0 ? step.Name : step.Name[(space + 1)..]) == kind;
    }

    private static string StepKind(string name) => name switch
    {
        _ when name.StartsWith("Start ", StringComparison.Ordinal) => "start",
        _ when name.StartsWith("Gate ", StringComparison.Ordinal) => "gate",
        _ when name.StartsWith("Switch nginx", StringComparison.Ordinal) => "switch",
        _ when name.StartsWith("Verify", StringComparison.Ordinal) => "verify",
        _ when name.StartsWith("Drain ", StringComparison.Ordinal) => "drain",
        _ when name.StartsWith("Stop ", StringComparison.Ordinal) => "stop",
        _ => name,
    };

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
