// The stack deployed on a local swarm (SwarmCluster) with swarm/deploy-stack.ps1, exactly as a user deploys it: the
// repository's docker-compose.yaml, the Swarm overlay and nginx/ files, the API image built from api/Dockerfile.
// Shared by the Swarm tests (a swarm and its stack take minutes on 2 cores), with a reset before each test.
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Docker.Testing;

namespace Swarm.Tests.Infrastructure;

/// <summary>A running task of a service: where it runs and the address nginx reaches it by.</summary>
public sealed record SwarmTask(string Id, string Service, string Node, string Address, string State);

public sealed class SwarmStack : IAsyncDisposable
{
    public const string Name = "zdd";

    /// <summary>The versions the tests move a slot between; cheap rebuilds of the same code.</summary>
    public static readonly string[] Versions = ["2.0.0", "2.0.1"];

    /// <summary>Replicas of a slot after a reset: one task per node with the overlay's spread preference.</summary>
    public const int SlotReplicas = 2;

    private readonly string _envFile;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private SwarmStack(SwarmCluster cluster, string envFile, IReadOnlyDictionary<string, string> settings)
    {
        Cluster = cluster;
        _envFile = envFile;
        _settings = settings;
    }

    public SwarmCluster Cluster { get; }

    /// <summary>The image name the nodes pull for a version (pushed at start).</summary>
    public string ImageOf(string version) => $"{Cluster.RegistryPull}/zdd/api:{version}";

    public static string Service(string name) => $"{Name}_{name}";

    /// <summary>Builds the API image in both versions, brings up a 2-node swarm, pushes the images and deploys.</summary>
    public static async Task<SwarmStack> StartAsync()
    {
        var repository = $"zdd-swarm-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}/api";
        var images = new List<string>();
        foreach (var version in Versions)
        {
            images.Add(await ApiImage.BuildAsync(repository, version));
        }

        var cluster = await SwarmCluster.StartAsync(nodes: 2, apiImage: images[0]);
        try
        {
            for (var i = 0; i < Versions.Length; i++)
            {
                await cluster.PushAsync(images[i], $"zdd/api:{Versions[i]}");
            }

            var envFile = Path.Combine(cluster.StateDirectory, "stack.env");
            var settings = Settings(envFile, cluster);
            await File.WriteAllLinesAsync(envFile,
                settings.Select(kv => $"{kv.Key}={kv.Value}").Prepend("# Written by Swarm.Tests for one test stack."));
            var stack = new SwarmStack(cluster, envFile, settings);
            await stack.DeployAsync();
            await stack.WaitUntilServingAsync(Versions[0], TimeSpan.FromMinutes(2));
            return stack;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>swarm/deploy-stack.ps1 -Wait against the manager; its timings are published.</summary>
    public async Task DeployAsync()
    {
        await EnsurePwshAsync();
        var started = DateTimeOffset.UtcNow;
        var deploy = await ProcessRunner.RunAsync("dotnet",
            ["pwsh", "-NoProfile", "-NonInteractive", "-File", Path.Combine(RepoPaths.Root, "swarm", "deploy-stack.ps1"),
                "-StackName", Name, "-EnvFile", _envFile, "-DockerHost", Cluster.ManagerHost, "-Wait",
                "-TimeoutSeconds", "600"],
            // The settings in the process environment too: Compose prefers it to the env file, and the developer's
            // shell (or CI) may export NGINX_IMAGE and the like for the host's stand-ins.
            new Dictionary<string, string>(_settings) { ["NO_COLOR"] = "1" }, TimeSpan.FromMinutes(12));
        if (deploy.ExitCode != 0)
        {
            var services = await Cluster.ManagerAsync("service", "ls");
            throw new InvalidOperationException(
                $"deploy-stack.ps1 failed ({deploy.ExitCode}):\n{deploy.StdErr}\n{deploy.StdOut}\n{services.StdOut}");
        }

        Report.Publish($"stack {Name} deployed and converged in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
    }

    /// <summary>
    /// Brings the stack to a known state before a test: blue serves through nginx at <see cref="SlotReplicas"/>
    /// replicas, no update in progress. The version is whichever the last test left (tests move to the other one).
    /// </summary>
    public async Task ResetAsync()
    {
        var blue = Service("api-blue");
        var replicas = (await Cluster.ManagerAsync("service", "inspect", "--format",
            "{{.Spec.Mode.Replicated.Replicas}}", blue)).EnsureSuccess("service inspect").StdOut.Trim();
        if (replicas != SlotReplicas.ToString(CultureInfo.InvariantCulture))
        {
            await ScaleAsync("blue", SlotReplicas);
        }

        // Spreading over nodes is a preference, not a rule: a start-first rolling update may leave both tasks on one
        // node (seen here). Scaling to 1 and back places the second task on the node without one.
        var tasks = await TasksAsync("api-blue");
        if (tasks.Select(t => t.Node).Distinct().Count() < Math.Min(SlotReplicas, Cluster.NodeCount))
        {
            Report.Publish($"reset: blue's tasks all on {tasks[0].Node}; scaling to 1 and back to spread them");
            await ScaleAsync("blue", 1);
            await ScaleAsync("blue", SlotReplicas);
        }

        await WaitUntilServingAsync(await ServingVersionAsync(), TimeSpan.FromMinutes(2));
    }

    /// <summary>`docker service update --replicas n`, waiting until the tasks run (or failing after 5 min).</summary>
    public async Task ScaleAsync(string slot, int replicas) =>
        (await Cluster.DockerAsync(1, ["service", "update", "--detach=false", "--quiet", "--replicas",
            replicas.ToString(CultureInfo.InvariantCulture), Service($"api-{slot}")], TimeSpan.FromMinutes(5)))
            .EnsureSuccess($"scaling api-{slot} to {replicas}");

    /// <summary>The running tasks of a service, each with its node and overlay address.</summary>
    public async Task<IReadOnlyList<SwarmTask>> TasksAsync(string service)
    {
        var ids = (await Cluster.ManagerAsync("service", "ps", "--quiet", "--no-trunc", "--filter",
                "desired-state=running", Service(service)))
            .EnsureSuccess($"service ps {service}").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
        {
            return [];
        }

        var nodes = (await Cluster.ManagerAsync("node", "ls", "--format", "{{.ID}} {{.Hostname}}"))
            .EnsureSuccess("node ls").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(p => p[0], p => p[1]);
        const string format =
            "{{.ID}}|{{.NodeID}}|{{.Status.State}}|{{range .NetworksAttachments}}{{range .Addresses}}{{.}} {{end}}{{end}}";
        return (await Cluster.ManagerAsync(["inspect", "--type", "task", "--format", format, .. ids]))
            .EnsureSuccess($"inspect tasks of {service}").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Select(p => new SwarmTask(p[0], service, nodes.GetValueOrDefault(p[1], p[1]),
                p[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split('/')[0] ?? "", p[2]))
            .ToList();
    }

    /// <summary>nginx's JSON access-log lines since <paramref name="since"/>, from every nginx task.</summary>
    public async Task<string> NginxAccessLogAsync(DateTimeOffset since)
    {
        var timestamp = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var logs = (await Cluster.DockerAsync(1, ["service", "logs", "--raw", "--since", timestamp, Service("nginx")],
            TimeSpan.FromMinutes(2))).EnsureSuccess("docker service logs nginx");
        return string.Join('\n', (logs.StdOut + "\n" + logs.StdErr).Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith('{')));
    }

    /// <summary>
    /// The pids of nginx's current worker processes in every nginx task (node:pid). A reload replaces every worker, so
    /// an unchanged set across a run, and an access log naming no other pid, show that nothing reloaded nginx.
    /// </summary>
    public async Task<IReadOnlySet<int>> NginxWorkerPidsAsync()
    {
        // No ps in nginx images: workers are retitled "nginx: worker process"; the script's own command line also
        // holds those words, and "is shutting down" (an old worker's title) excludes it as well.
        const string script = """
            for p in /proc/[0-9]*; do
              case "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" in
                *"is shutting down"*) ;;
                *"worker process"*) echo "${p#/proc/}";;
              esac
            done
            """;
        var pids = new HashSet<int>();
        foreach (var (node, container) in await NginxContainersAsync())
        {
            var output = (await Cluster.DockerAsync(node, ["exec", container, "sh", "-c", script]))
                .EnsureSuccess("listing nginx workers").StdOut;
            pids.UnionWith(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
        }

        return pids;
    }

    /// <summary>text -> (rows, smallest id) of this run's notes, read with psql in the database task's container,
    /// on whichever node it runs (`docker exec` reaches only the engine it talks to).</summary>
    public async Task<IReadOnlyDictionary<string, (int Count, long MinId)>> StoredNotesAsync(string runId)
    {
        var (node, container) = (await ContainersAsync("db")).Single();
        // The run id is hex and dashes (LoadOptions.RunId): safe inside the literal. Table and columns: NoteConfiguration.
        var result = (await Cluster.DockerAsync(node, ["exec", container, "psql", "-U", "app", "-d", "app", "-At",
            "-F", "|", "-v", "ON_ERROR_STOP=1", "-c",
            $"SELECT \"Text\", count(*), min(\"Id\") FROM notes WHERE \"Text\" LIKE '{runId}-%' GROUP BY \"Text\""]))
            .EnsureSuccess("psql in the db task");
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .ToDictionary(p => p[0], p => (int.Parse(p[1], CultureInfo.InvariantCulture),
                long.Parse(p[2], CultureInfo.InvariantCulture)));
    }

    /// <summary>The version the serving slot reports through nginx.</summary>
    public async Task<string> ServingVersionAsync()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync("/profile");
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-App-Version").Single();
    }

    /// <summary>A client for nginx on the host's loopback: the proof's keep-alive client (Host localhost).</summary>
    public HttpClient CreateClient() =>
        Proof.Tests.Load.LoadClients.Create(Cluster.HttpsBase, Proof.Tests.Load.ClientKind.KeepAlive,
            TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private async Task<IReadOnlyList<(int Node, string Container)>> NginxContainersAsync() =>
        await ContainersAsync("nginx");

    /// <summary>(node, container id) of each running task of a service.</summary>
    private async Task<IReadOnlyList<(int Node, string Container)>> ContainersAsync(string service)
    {
        var found = new List<(int, string)>();
        foreach (var node in Enumerable.Range(1, Cluster.NodeCount))
        {
            var ids = (await Cluster.DockerAsync(node, ["ps", "--quiet", "--filter",
                    $"label=com.docker.swarm.service.name={Service(service)}"]))
                .EnsureSuccess($"ps on node {node}").StdOut
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            found.AddRange(ids.Select(id => (node, id)));
        }

        return found.Count > 0 ? found : throw new InvalidOperationException($"No running container of {service}.");
    }

    /// <summary>Waits until every one of 10 requests through nginx answers 200 from blue with <paramref name="version"/>.</summary>
    private async Task WaitUntilServingAsync(string version, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        string last = "no answer yet";
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var client = CreateClient();
                var ok = 0;
                for (var i = 0; i < 10; i++)
                {
                    using var response = await client.GetAsync("/profile");
                    var slot = response.Headers.TryGetValues("X-Slot", out var s) ? s.Single() : "-";
                    var served = response.Headers.TryGetValues("X-App-Version", out var v) ? v.Single() : "-";
                    last = $"{(int)response.StatusCode} from {slot} {served}";
                    ok += response.StatusCode == HttpStatusCode.OK && slot == "blue" && served == version ? 1 : 0;
                }

                if (ok == 10)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new InvalidOperationException($"nginx does not serve blue {version} after {timeout}: last {last}");
    }

    private static Dictionary<string, string> Settings(string envFile, SwarmCluster cluster)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENV_FILE"] = envFile,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SECRET_KEY"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["DB_NAME"] = "app",
            ["DB_USER"] = "app",
            ["DB_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["ALLOWED_HOSTS"] = "localhost;127.0.0.1;api-blue;api-green",
            ["SHUTDOWN_TIMEOUT_SECONDS"] = "30",
            ["MAX_REQUEST_SECONDS"] = "10",
            // The proof's long requests need /slow. 10 s between probes: each starts a .NET process in every task.
            ["ENABLE_SLOW_ENDPOINT"] = "true",
            ["HEALTHCHECK_INTERVAL"] = "10s",
        };
        foreach (var (key, value) in cluster.StackImages)
        {
            values[key] = value;
        }

        return values;
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
