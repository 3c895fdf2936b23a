// Decides whether a Docker test can run: skipped (with a reason) on a machine without an engine, failed in CI, where
// ZDD_REQUIRE_DOCKER=true says that a missing engine is a broken build, not a reason to pass quietly.
using Xunit.v3;

namespace Docker.Testing;

public static class DockerRequirement
{
    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);

    /// <summary>True when ZDD_REQUIRE_DOCKER=true (CI): a missing engine fails the test instead of skipping it.</summary>
    public static bool IsRequired =>
        string.Equals(Environment.GetEnvironmentVariable("ZDD_REQUIRE_DOCKER"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Returns when a Docker engine answers. Otherwise skips the calling test ("No Docker engine: ..."), or throws
    /// when <see cref="IsRequired"/>. Also sets the Testcontainers defaults this project needs, unless already set.
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
            throw new InvalidOperationException($"ZDD_REQUIRE_DOCKER=true but no Docker engine answers: {problem}");
        }

        // How xunit v3 recognises a dynamic skip (what Assert.Skip throws): the message starts with the token.
        throw new DockerUnavailableException(DynamicSkipToken.Value + "No Docker engine: " + problem);
    }

    /// <summary>
    /// Ryuk (the reaper container) cannot be pulled where no registry is reachable, so the tests clean up after
    /// themselves instead; and the engine's published ports are reached on 127.0.0.1, never on a bridge address.
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
            return result.ExitCode == 0 && result.StdOut.Trim().Length > 0
                ? null
                : $"`docker version` exited {result.ExitCode}: {result.StdErr.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"`docker` could not be run: {e.Message}";
        }
    }
}

/// <summary>Thrown to skip a test when no Docker engine answers (outside CI).</summary>
public sealed class DockerUnavailableException(string message) : Exception(message);
