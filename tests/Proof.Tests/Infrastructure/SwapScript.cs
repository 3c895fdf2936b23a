// Runs the real deploy-scripts/swap.ps1 (through the repo's pwsh .NET tool) against the test's compose stack, as
// an operator would, and records when it started and when it reported its result.
using System.Text.Json;
using Docker.Testing;

namespace Proof.Tests.Infrastructure;

public sealed record SwapOutcome(
    string Version,
    string FromSlot,
    string ToSlot,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    ProcessResult Result,
    IReadOnlyList<SwapStep> Steps)
{
    public bool Succeeded => Result.ExitCode == 0;

    public TimeSpan Duration => EndedAt - StartedAt;

    public string Describe() =>
        $"swap {FromSlot} -> {ToSlot} version {Version}: exit {Result.ExitCode} in {Duration.TotalSeconds:F1} s" +
        (Steps.Count == 0 ? "" : $" ({string.Join(", ", Steps.Select(s => $"{s.Name} {s.Seconds:F1} s {s.Result}"))})");

    public string Output => $"--- stdout ---\n{Result.StdOut}\n--- stderr ---\n{Result.StdErr}";
}

/// <summary>One step of swap.ps1's deploy record (where the time of a swap goes, and when each step began).</summary>
public sealed record SwapStep(string Name, double Seconds, string Result, DateTimeOffset? StartedAt = null)
{
    public DateTimeOffset? EndedAt => StartedAt + TimeSpan.FromSeconds(Seconds);
}

public static class SwapScript
{
    public static string ScriptPath => Path.Combine(RepoPaths.Root, "deploy-scripts", "swap.ps1");

    /// <summary>`dotnet pwsh swap.ps1 -ProjectName .. -ComposeFile .. -EnvFile .. -StateDirectory .. -Version ..`.</summary>
    public static async Task<SwapOutcome> RunAsync(
        ProofStack proof,
        string version,
        IEnumerable<string>? extraArguments = null,
        CancellationToken ct = default)
    {
        var from = await proof.ActiveSlotAsync();
        var to = from == "blue" ? "green" : "blue";
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", ScriptPath,
            .. proof.ScriptTargetArguments,
            "-Version", version,
            .. extraArguments ?? [],
        ];
        var started = DateTimeOffset.UtcNow;
        var result = await ProcessRunner.RunAsync("dotnet", args, proof.Stack.Environment, TimeSpan.FromMinutes(3), ct);
        var ended = DateTimeOffset.UtcNow;
        return new SwapOutcome(version, from, to, started, ended, result, ReadSteps(proof.StateDirectory, started));
    }

    /// <summary>
    /// swap.ps1 with other arguments than a plain swap's (-Stage, -Canary P, -Promote, -Abort), against the proof's
    /// stack. <paramref name="label"/> names the run in the figures; From/To are the active slot and the other one.
    /// </summary>
    public static async Task<SwapOutcome> RunCommandAsync(
        ProofStack proof, string label, IEnumerable<string> arguments, CancellationToken ct = default)
    {
        var from = await proof.ActiveSlotAsync();
        var to = from == "blue" ? "green" : "blue";
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", ScriptPath,
            .. proof.ScriptTargetArguments,
            .. arguments,
        ];
        var started = DateTimeOffset.UtcNow;
        var result = await ProcessRunner.RunAsync("dotnet", args, proof.Stack.Environment, TimeSpan.FromMinutes(3), ct);
        var ended = DateTimeOffset.UtcNow;
        return new SwapOutcome(label, from, to, started, ended, result, ReadSteps(proof.StateDirectory, started));
    }

    /// <summary>The steps of the deploy record this run wrote (swap.ps1 writes one per run into deploys/).</summary>
    private static IReadOnlyList<SwapStep> ReadSteps(string stateDirectory, DateTimeOffset startedAt)
    {
        var directory = Path.Combine(stateDirectory, "deploys");
        var record = Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*.json")
                .Where(f => f.LastWriteTimeUtc >= startedAt.UtcDateTime)
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        if (record is null)
        {
            return [];
        }

        using var json = JsonDocument.Parse(File.ReadAllText(record.FullName));
        return json.RootElement.TryGetProperty("Steps", out var steps) && steps.ValueKind == JsonValueKind.Array
            ? steps.EnumerateArray()
                .Select(step => new SwapStep(
                    step.GetProperty("Name").GetString() ?? "?",
                    step.GetProperty("Seconds").GetDouble(),
                    step.GetProperty("Result").GetString() ?? "?",
                    step.TryGetProperty("StartedAt", out var at) && at.ValueKind == JsonValueKind.String
                        ? at.GetDateTimeOffset()
                        : null))
                .ToList()
            : [];
    }
}
