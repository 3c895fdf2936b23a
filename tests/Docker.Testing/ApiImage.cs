// Builds the API image from the shipped api/Dockerfile for the Docker tests, once per process per tag. Base images
// come from Images (stand-ins in CI). Tags built here are removed when the test process exits.
using System.Collections.Concurrent;

namespace Docker.Testing;

public sealed class ApiImage
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Builds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte> BuiltTags = new(StringComparer.Ordinal);

    // One build at a time: the first compiles the app, the next ones are cache hits for every layer but the last
    // (APP_VERSION). Two cold builds side by side on 2 cores would each take twice as long.
    private static readonly SemaphoreSlim BuildGate = new(1, 1);

    static ApiImage()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveBuiltTags();
    }

    private ApiImage()
    {
    }

    /// <summary>
    /// Builds api/Dockerfile as <c>repository:version</c> with APP_VERSION=<paramref name="version"/> and the base
    /// images of <see cref="Images"/>, and returns the tag. A second call with the same arguments returns the first
    /// build's task. The tag is removed when the process exits (ComposeStack removes its own repository earlier).
    /// </summary>
    public static Task<string> BuildAsync(string repository, string version, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var tag = $"{repository}:{version}";
        var build = Builds.GetOrAdd(tag, t => new Lazy<Task<string>>(() => BuildCoreAsync(t, version)));
        return build.Value.WaitAsync(ct);
    }

    private static async Task<string> BuildCoreAsync(string tag, string version)
    {
        await BuildGate.WaitAsync().ConfigureAwait(false);
        try
        {
            BuiltTags[tag] = 0;
            string[] args =
            [
                "build",
                "--file", Path.Combine(RepoPaths.Root, "api", "Dockerfile"),
                "--build-arg", $"SDK_IMAGE={Images.DotnetSdk}",
                "--build-arg", $"RUNTIME_IMAGE={Images.AspNet}",
                "--build-arg", $"APP_VERSION={version}",
                "--label", "zdd.test=true",
                "--tag", tag,
                RepoPaths.Root,
            ];
            var result = await ProcessRunner.RunAsync("docker", args, timeout: TimeSpan.FromMinutes(15))
                .ConfigureAwait(false);
            result.EnsureSuccess($"docker build of {tag}");
            return tag;
        }
        catch
        {
            // A failed build is not cached: the next test gets a fresh attempt and its own error message.
            Builds.TryRemove(tag, out _);
            throw;
        }
        finally
        {
            BuildGate.Release();
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
            // Only the tags: the layers stay in the build cache, so the next run rebuilds in seconds.
            ProcessRunner.RunAsync("docker", ["image", "rm", "--force", .. tags], timeout: TimeSpan.FromSeconds(30))
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"ApiImage: could not remove {string.Join(", ", tags)}: {e.Message}");
        }
    }
}
