// Broken versions of the API for the fault matrix (tests/Deploy.Tests SwapScriptTests, tests/Proof.Tests
// FaultMatrixTests): a good image built from api/Dockerfile with the test-only startup hook of tests/FaultInjection
// added, as an operator's broken release would arrive. The shipped image carries no test hook; only these do.
using System.Collections.Concurrent;

namespace Docker.Testing;

/// <summary>What a broken version does (ZDD_FAULT, tests/FaultInjection/StartupHook.cs).</summary>
public enum ApiFault
{
    /// <summary>GET /health/ready always answers 503; liveness and every other endpoint work.</summary>
    NeverReady,

    /// <summary>The server exits 1 at start with <see cref="FaultyApiImage.CrashMessage"/>; the verbs still run.</summary>
    CrashOnStart,
}

public static class FaultyApiImage
{
    /// <summary>What a crashing version writes to stderr before it exits (its log's last line).</summary>
    public const string CrashMessage = "ZDD_FAULT=crash-on-start: this build crashes at start on purpose";

    private static readonly ConcurrentDictionary<string, byte> BuiltTags = new(StringComparer.Ordinal);

    static FaultyApiImage()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveBuiltTags();
    }

    /// <summary>
    /// Builds <paramref name="tag"/> <c>FROM</c> <paramref name="baseImage"/> with <paramref name="fault"/> and
    /// APP_VERSION set to the tag's version, so that only the fault, not the smoke test's version check, can fail a
    /// swap to it. Compose's env_file does not set ZDD_FAULT, so the image's value holds. The tag is removed when the
    /// process exits, if its owner (a ComposeStack's repository) has not removed it before.
    /// </summary>
    public static async Task<string> BuildAsync(string baseImage, string tag, ApiFault fault, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseImage);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        var version = tag[(tag.LastIndexOf(':') + 1)..];
        var mode = fault switch
        {
            ApiFault.NeverReady => "never-ready",
            ApiFault.CrashOnStart => "crash-on-start",
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };

        var hook = Path.Combine(AppContext.BaseDirectory, "FaultInjection.dll");
        if (!File.Exists(hook))
        {
            throw new InvalidOperationException(
                $"{hook} is missing: Docker.Testing's project reference to tests/FaultInjection copies it there.");
        }

        var context = Directory.CreateTempSubdirectory("zdd-faulty-api-").FullName;
        try
        {
            File.Copy(hook, Path.Combine(context, "FaultInjection.dll"));
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"""
                FROM {baseImage}
                COPY FaultInjection.dll /faults/FaultInjection.dll
                ENV DOTNET_STARTUP_HOOKS=/faults/FaultInjection.dll ZDD_FAULT={mode} APP_VERSION={version}

                """, ct).ConfigureAwait(false);
            BuiltTags[tag] = 0;
            var result = await ProcessRunner.RunAsync(
                "docker", ["build", "--label", "zdd.test=true", "--tag", tag, context],
                timeout: TimeSpan.FromMinutes(2), ct: ct).ConfigureAwait(false);
            result.EnsureSuccess($"docker build of {tag}");
            return tag;
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    private static void RemoveBuiltTags()
    {
        var tags = BuiltTags.Keys.ToArray();
        if (tags.Length == 0)
        {
            return;
        }

        try
        {
            // Already gone when the stack that owned the repository was disposed: --force makes that harmless.
            ProcessRunner.RunAsync("docker", ["image", "rm", "--force", .. tags], timeout: TimeSpan.FromSeconds(30))
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"FaultyApiImage: could not remove {string.Join(", ", tags)}: {e.Message}");
        }
    }
}
