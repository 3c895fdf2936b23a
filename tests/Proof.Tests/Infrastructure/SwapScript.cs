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

    /// <summary>`dotnet pwsh swap.ps1 -ProjectName .. -ComposeFile .. -EnvFile .. -Version ..`.</summary>
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
        return new SwapOutcome(version, from, to, started, ended, result, await ReadStepsAsync(proof, started));
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
        return new SwapOutcome(label, from, to, started, ended, result, await ReadStepsAsync(proof, started));
    }

    /// <summary>
    /// The steps of the history entry this run appended (swap.ps1 appends one per run that took the lock, whatever
    /// its mode: Swap, Stage, Canary, Promote, Abort).
    /// </summary>
    private static async Task<IReadOnlyList<SwapStep>> ReadStepsAsync(ProofStack proof, DateTimeOffset startedAt)
    {
        var since = startedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var result = await DeployState.QueryAsync(proof.Stack,
            $"SELECT steps FROM deploy_history WHERE started_at >= '{since}' ORDER BY id DESC LIMIT 1");
        var text = result.ExitCode == 0 ? result.StdOut.Trim() : "";
        if (text.Length == 0)
        {
            return [];
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.ValueKind == JsonValueKind.Array
            ? json.RootElement.EnumerateArray()
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
