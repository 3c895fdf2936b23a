// Runs the real deploy-scripts/swap.ps1 (through the repo's pwsh .NET tool) against the test's compose stack, as
// an operator would, and records when it started and when it reported its result.
using Docker.Testing;

namespace Proof.Tests.Infrastructure;

public sealed record SwapOutcome(
    string Version,
    string FromSlot,
    string ToSlot,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    ProcessResult Result)
{
    public bool Succeeded => Result.ExitCode == 0;

    public TimeSpan Duration => EndedAt - StartedAt;

    public string Describe() =>
        $"swap {FromSlot} -> {ToSlot} version {Version}: exit {Result.ExitCode} in {Duration.TotalSeconds:F1} s";

    public string Output => $"--- stdout ---\n{Result.StdOut}\n--- stderr ---\n{Result.StdErr}";
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
        return new SwapOutcome(version, from, to, started, DateTimeOffset.UtcNow, result);
    }
}
