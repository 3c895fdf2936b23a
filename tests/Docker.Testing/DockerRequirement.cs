// The one gate of every Docker test, in every test project (Api.Tests' PostgreSQL tests included): skipped (with one
// line saying why) on a machine where no Docker engine answers, failed in CI, where ZDD_REQUIRE_DOCKER=true says
// that a missing engine is a broken build, not a reason to pass quietly. Call it from the test itself, or from a
// lazy fixture the test calls (SharedDockerResource): xunit v3 reports an exception thrown in a fixture's
// InitializeAsync, the skip included, as a failure of every test of the class.
using Xunit;
using Xunit.v3;

namespace Docker.Testing;

public static class DockerRequirement
{
    public const string RequireVariable = "ZDD_REQUIRE_DOCKER";

    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);
    private static int announced;

    /// <summary>True when ZDD_REQUIRE_DOCKER=true (CI): a missing engine fails the test instead of skipping it.</summary>
    public static bool IsRequired =>
        string.Equals(Environment.GetEnvironmentVariable(RequireVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Returns when a Docker engine answers the <c>docker</c> CLI (which every Docker test needs, and which reads
    /// DOCKER_HOST and the CLI context as Testcontainers does). Otherwise skips the calling test ("No Docker
    /// engine: ..."), or throws when <see cref="IsRequired"/>. Also sets the Testcontainers defaults this project
    /// needs, unless already set. The engine is asked once per test process.
    /// </summary>
    public static async Task EnsureAvailableAsync()
    {
        ApplyTestcontainersDefaults();
        var problem = await Probe.Value.ConfigureAwait(false);
        if (problem is null)
        {
            return;
        }

        if (IsRequired)
        {
            throw new InvalidOperationException($"{RequireVariable}=true but no Docker engine answers: {problem}");
        }

        var reason = $"No Docker engine: {problem} (set {RequireVariable}=true to fail instead)";
        if (Interlocked.Exchange(ref announced, 1) == 0)
        {
            // The one line `dotnet test` shows about it (a skip's reason is shown only at a higher verbosity); needs
            // "diagnosticMessages": true in the project's xunit.runner.json.
            TestContext.Current.SendDiagnosticMessage($"Docker tests skip. {reason}");
        }

        // How xunit v3 recognises a dynamic skip (what Assert.Skip throws): the message starts with the token.
        throw new DockerUnavailableException(DynamicSkipToken.Value + reason);
    }

    /// <summary>
    /// Ryuk (the reaper container) cannot be pulled where no registry is reachable, so the tests clean up after
    /// themselves instead; and the engine's published ports are reached on 127.0.0.1, never on a bridge address.
    /// Set before Testcontainers reads its settings, which it does once, at the first container a test builds.
    /// </summary>
    private static void ApplyTestcontainersDefaults()
    {
        SetIfUnset("TESTCONTAINERS_RYUK_DISABLED", "true");
        SetIfUnset("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
    }

    private static void SetIfUnset(string variable, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }

    private static async Task<string?> ProbeAsync()
    {
        try
        {
            var result = await ProcessRunner.RunAsync(
                "docker", ["version", "--format", "{{.Server.APIVersion}}"], timeout: TimeSpan.FromSeconds(20))
                .ConfigureAwait(false);
            if (result.ExitCode == 0 && result.StdOut.Trim().Length > 0)
            {
                return null;
            }

            // The CLI's own first line says it best ("Cannot connect to the Docker daemon at unix:///... Is the
            // docker daemon running?"); the rest is its usage noise.
            var reason = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault() ?? "no output";
            return $"`docker version` exited {result.ExitCode}: {reason}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "no `docker` command on PATH";
        }
        catch (TimeoutException)
        {
            return "`docker version` did not answer within 20 s";
        }
    }
}

/// <summary>Thrown to skip a test when no Docker engine answers (outside CI).</summary>
public sealed class DockerUnavailableException(string message) : Exception(message);
