// Runs an external program (docker, docker compose, pwsh) and captures its output. Used by every Docker test
// project through ComposeStack, ApiImage and DockerRequirement, and directly by tests that call scripts.
using System.Diagnostics;

namespace Docker.Testing;

/// <summary>What a finished process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Throws with the command's output when the exit code is not 0; returns the result otherwise.</summary>
    public ProcessResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{what} failed with exit code {ExitCode}.\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }

        return this;
    }
}

public static class ProcessRunner
{
    /// <summary>Default bound for one command: long enough for a cold image build on 2 cores.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="args"/> (passed as an argument list, never through a
    /// shell), waits for it and returns its exit code and output. <paramref name="env"/> entries are added to (and
    /// override) the current environment. On timeout or cancellation the whole process tree is killed and a
    /// <see cref="TimeoutException"/> / <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string file,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);

        process.Start();
        // Nothing is ever typed into these commands; a closed stdin stops one that would prompt from hanging.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var limit = timeout ?? DefaultTimeout;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            var command = Describe(file, startInfo.ArgumentList);
            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException($"Cancelled: {command}", ct);
            }

            throw new TimeoutException(
                $"Timed out after {limit.TotalSeconds:0}s: {command}\n--- stdout ---\n{Read(stdout)}\n--- stderr ---\n{Read(stderr)}");
        }

        // The parameterless overload waits until the redirected streams reach end of file.
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, Read(stdout), Read(stderr));
    }

    private static void Append(System.Text.StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(System.Text.StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the timeout and the kill.
        }
    }

    internal static string Describe(string file, IEnumerable<string> args) =>
        string.Join(' ', new[] { file }.Concat(args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a)));
}
