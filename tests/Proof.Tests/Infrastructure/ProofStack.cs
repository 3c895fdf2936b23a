// One compose stack shared by the proof tests (starting one costs the better part of a minute on 2 cores), with
// a reset that brings it to a known state before each test: one slot serving through nginx, the other stopped or
// idle, no deploy lock, the shipped nginx config. Tests therefore do not depend on their order.
using System.Net;
using Docker.Testing;
using Xunit;

namespace Proof.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ProofCollection : ICollectionFixture<ProofStack>
{
    public const string Name = "proof stack";
}

public sealed class ProofStack : IAsyncLifetime
{
    /// <summary>The two versions the swaps alternate between; both are cheap rebuilds of the same code.</summary>
    public static readonly string[] Versions = ["2.0.0", "2.0.1"];

    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly List<string> _extraTags = [];
    private ComposeStack? _stack;
    private Exception? _startFailure;

    public ComposeStack Stack => _stack ?? throw new InvalidOperationException("Call ReadyAsync first.");

    /// <summary>The arguments that point the deploy scripts at this stack.</summary>
    public IReadOnlyList<string> ScriptTargetArguments =>
    [
        "-ProjectName", Stack.ProjectName,
        "-ComposeFile", Stack.ComposeFile,
        "-EnvFile", Stack.EnvFile,
    ];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips (or fails, in CI) without Docker; starts the stack once; resets it to a known state.</summary>
    public async Task<ProofStack> ReadyAsync()
    {
        await DockerRequirement.EnsureAvailableAsync();
        await _startGate.WaitAsync();
        try
        {
            // A stack that failed to start once fails every later test at once, instead of each waiting minutes.
            if (_startFailure is not null)
            {
                throw new InvalidOperationException($"The proof stack failed to start: {_startFailure.Message}", _startFailure);
            }

            if (_stack is null)
            {
                await StartAsync();
            }
        }
        finally
        {
            _startGate.Release();
        }

        await ResetAsync();
        return this;
    }

    private async Task StartAsync()
    {
        ComposeStack? stack = null;
        try
        {
            stack = await ComposeStack.StartAsync(new ComposeStackOptions { NamePrefix = "zdd-proof" });
            foreach (var version in Versions)
            {
                await ApiImage.BuildAsync(stack.ApiImageRepository, version);
            }

            await EnsurePwshAsync();
            _stack = stack;
        }
        catch (Exception e) when (e is not DockerUnavailableException)
        {
            _startFailure = e;
            if (stack is not null)
            {
                await stack.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The slot that nginx routes to: the one active-slot marker in its state directory.</summary>
    public async Task<string> ActiveSlotAsync()
    {
        var listing = (await Stack.ExecAsync("nginx", "ls", "-1", "/etc/nginx/state"))
            .EnsureSuccess("listing nginx's state directory").StdOut;
        var markers = listing.Split('\n', StringSplitOptions.TrimEntries)
            .Where(name => name is "active-slot.blue" or "active-slot.green")
            .ToList();
        return markers.Count == 1
            ? markers[0]["active-slot.".Length..]
            : throw new InvalidOperationException($"nginx's state directory holds no single marker: '{listing}'");
    }

    /// <summary>
    /// The pids of nginx's current worker processes (not the old ones of an earlier reload, still finishing their
    /// connections). A reload replaces every worker, so an unchanged set across a run, and an access log naming no
    /// other pid, show that nothing reloaded nginx.
    /// </summary>
    public async Task<IReadOnlySet<int>> NginxWorkerPidsAsync()
    {
        // No ps in nginx images: nginx retitles its workers "nginx: worker process" (an old one "... is shutting
        // down"), which /proc/<pid>/cmdline shows.
        const string script = """
            for p in /proc/[0-9]*; do
              case "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" in
                *"is shutting down"*) ;;
                *"worker process"*) echo "${p#/proc/}";;
              esac
            done
            """;
        var output = (await Stack.ExecAsync("nginx", "sh", "-c", script)).EnsureSuccess("listing nginx workers").StdOut;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse)
            .ToHashSet();
    }

    /// <summary>The version the serving slot reports through nginx.</summary>
    public async Task<string> ServingVersionAsync()
    {
        using var client = Stack.CreateHttpClient();
        using var response = await client.GetAsync("/profile");
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-App-Version").Single();
    }

    /// <summary>A version other than the one serving, so that every swap changes the version.</summary>
    public async Task<string> NextVersionAsync() =>
        await ServingVersionAsync() == Versions[0] ? Versions[1] : Versions[0];

    /// <summary>
    /// Builds <c>repository:tag</c> FROM an existing version with a test fault (Docker.Testing.FaultyApiImage), as an
    /// operator's broken release would arrive. Removed on dispose.
    /// </summary>
    public async Task<string> BuildVariantAsync(string tag, string baseVersion, ApiFault fault)
    {
        var image = $"{Stack.ApiImageRepository}:{tag}";
        _extraTags.Add(image);
        return await FaultyApiImage.BuildAsync($"{Stack.ApiImageRepository}:{baseVersion}", image, fault);
    }

    /// <summary>Tags an existing version under another name: an image whose tag and APP_VERSION disagree.</summary>
    public async Task<string> TagAsAsync(string existingVersion, string tag)
    {
        var image = $"{Stack.ApiImageRepository}:{tag}";
        _extraTags.Add(image);
        (await ProcessRunner.RunAsync("docker", ["tag", $"{Stack.ApiImageRepository}:{existingVersion}", image]))
            .EnsureSuccess($"docker tag {image}");
        return image;
    }

    /// <summary>
    /// Brings the stack to a known state: no lock, no staged candidate, no test file in nginx's config, the active
    /// slot running and answering through nginx. Repairs what a failed test may have left (a killed or stopped slot).
    /// </summary>
    public async Task ResetAsync()
    {
        // The deploy lock lives in the stack's PostgreSQL; maintenance mode in nginx's routing state.
        await DeployState.ClearLockAsync(Stack);
        (await Stack.ExecAsync("nginx", "sh", "/etc/nginx/zdd/zdd-state.sh", "maintenance-off"))
            .EnsureSuccess("turning maintenance mode off");

        await RepairNginxConfigAsync();
        // No staged candidate or canary left by a test (its staged lock went with the lock row above).
        (await Stack.ExecAsync("nginx", "sh", "/etc/nginx/zdd/zdd-state.sh", "clear-candidate"))
            .EnsureSuccess("clearing nginx's routing state");
        var active = await ActiveSlotAsync();
        if (!await ServesAsync(active))
        {
            // nginx follows the container's new address by itself (upstreams/*.conf, `resolve`); the loop below waits.
            (await Stack.ComposeAsync("up", "--detach", "--wait", "--no-deps", "--no-build", "--pull", "never",
                $"api-{active}")).EnsureSuccess($"restarting api-{active}");
        }

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (!await ServesAsync(active))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Reset: api-{active} does not answer through nginx.");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Breaks nginx's config the way an operator's typo would: a bad line appended to a file the config includes
    /// (the generated server names, inside the container; the repo's nginx/ files are mounted read-only and never
    /// touched). The running config is unaffected: it would fail nginx's next start or reload.
    /// <see cref="RepairNginxConfigAsync"/> undoes it.
    /// </summary>
    public async Task BreakNginxConfigAsync() =>
        (await Stack.ExecAsync("nginx", "sh", "-c",
            $"cp {IncludedFile} {IncludedFileBackup} && echo 'this_is_not_a_directive on;' >> {IncludedFile}"))
            .EnsureSuccess("breaking nginx's config");

    public async Task RepairNginxConfigAsync() =>
        (await Stack.ExecAsync("nginx", "sh", "-c",
            $"if [ -f {IncludedFileBackup} ]; then mv {IncludedFileBackup} {IncludedFile}; fi"))
            .EnsureSuccess("repairing nginx's config");

    private const string IncludedFile = "/etc/nginx/generated/server-names.conf";

    private const string IncludedFileBackup = "/tmp/zdd-proof-server-names.conf";

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        if (_extraTags.Count > 0)
        {
            await ProcessRunner.RunAsync("docker", ["image", "rm", "--force", .. _extraTags]);
        }

        _startGate.Dispose();
    }

    private async Task<bool> ServesAsync(string slot)
    {
        try
        {
            using var client = Stack.CreateHttpClient();
            client.Timeout = TimeSpan.FromSeconds(5);
            using var response = await client.GetAsync("/profile");
            return response.StatusCode == HttpStatusCode.OK
                && response.Headers.TryGetValues("X-Slot", out var slots) && slots.Single() == slot;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>`dotnet pwsh` needs the repo's tool manifest restored (CI does it; a developer may not have).</summary>
    private static async Task EnsurePwshAsync()
    {
        var probe = await ProcessRunner.RunAsync("dotnet", ["pwsh", "-NoProfile", "-Command", "$PSVersionTable.PSVersion"],
            timeout: TimeSpan.FromMinutes(1));
        if (probe.ExitCode != 0)
        {
            (await ProcessRunner.RunAsync("dotnet", ["tool", "restore"], timeout: TimeSpan.FromMinutes(5)))
                .EnsureSuccess("dotnet tool restore");
        }
    }
}
