// A local Docker Swarm on this machine, for the Swarm tests: N Docker-in-Docker node containers and a registry, made
// by .ci/swarm/up.sh and removed by .ci/swarm/down.sh under a name prefix of its own, so that it never touches another
// run's swarm. Each node's engine is reached through its own Unix socket (up.sh's swarm.env), because `docker exec`
// and `docker ps` only ever see the engine they talk to.
using System.Globalization;
using System.Security.Cryptography;
using Docker.Testing;
using Xunit.v3;

namespace Swarm.Tests.Infrastructure;

public sealed class SwarmCluster : IAsyncDisposable
{
    /// <summary>up.sh's exit code when this machine cannot run a Docker engine inside a container.</summary>
    public const int NestedEngineUnavailableExitCode = 75;

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly IReadOnlyDictionary<string, string> _scriptEnvironment;
    private int _disposed;

    private SwarmCluster(string stateDirectory, IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, string> scriptEnvironment)
    {
        StateDirectory = stateDirectory;
        _settings = settings;
        _scriptEnvironment = scriptEnvironment;
    }

    public string StateDirectory { get; }

    public string Prefix => _settings["ZDD_SWARM_PREFIX"];

    public int NodeCount => int.Parse(_settings["ZDD_SWARM_NODES"], CultureInfo.InvariantCulture);

    /// <summary>Where the host pushes images (127.0.0.1:port).</summary>
    public string RegistryPush => _settings["ZDD_SWARM_REGISTRY_PUSH"];

    /// <summary>Where the nodes pull them (the registry's name on the swarm's network).</summary>
    public string RegistryPull => _settings["ZDD_SWARM_REGISTRY_PULL"];

    /// <summary>nginx's HTTPS port, published by the edge node (node 1) on the host's 127.0.0.1.</summary>
    public Uri HttpsBase => new($"https://127.0.0.1:{_settings["ZDD_SWARM_HTTPS_PORT"]}/");

    /// <summary>The image overrides the stack is deployed with (names the nodes pull).</summary>
    public IReadOnlyDictionary<string, string> StackImages => new Dictionary<string, string>
    {
        ["NGINX_IMAGE"] = _settings["NGINX_IMAGE"],
        ["POSTGRES_IMAGE"] = _settings["POSTGRES_IMAGE"],
        ["API_IMAGE"] = _settings["API_IMAGE"],
    };

    /// <summary>The manager's engine (node 1), as for docker --host.</summary>
    public string ManagerHost => NodeHost(1);

    public string NodeHost(int node) => _settings[$"ZDD_SWARM_NODE{node}_HOST"];

    public string NodeName(int node) => _settings[$"ZDD_SWARM_NODE{node}_NAME"];

    /// <summary>1-based index of the node with this host name (as `docker service ps` prints it).</summary>
    public int NodeIndexOf(string nodeName) => Enumerable.Range(1, NodeCount)
        .FirstOrDefault(i => NodeName(i) == nodeName) is var i and > 0
            ? i
            : throw new InvalidOperationException($"No node named '{nodeName}' in swarm {Prefix}.");

    /// <summary>
    /// Brings up a swarm of <paramref name="nodes"/> nodes with up.sh and pushes <paramref name="apiImage"/> as the
    /// slots' images. Skips the calling test (or fails it, with ZDD_REQUIRE_DOCKER=true) where nested engines cannot
    /// run; removes what it made when the start fails.
    /// </summary>
    public static async Task<SwarmCluster> StartAsync(int nodes, string apiImage, CancellationToken ct = default)
    {
        if (!OperatingSystem.IsLinux())
        {
            Unavailable("the local swarm runs Docker-in-Docker node containers from bash scripts, on Linux only");
        }

        var prefix = $"zdd-swarm-t{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        // Short: a Unix socket path has at most 107 bytes, and the node sockets live below it.
        var stateDirectory = Path.Combine(Path.GetTempPath(), prefix);
        var environment = new Dictionary<string, string>(Images.AsEnvironment(), StringComparer.Ordinal)
        {
            ["ZDD_SWARM_PREFIX"] = prefix,
            ["ZDD_SWARM_STATE_DIR"] = stateDirectory,
        };
        var up = await ProcessRunner.RunAsync("bash",
            [Script("up.sh"), "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--api-image", apiImage],
            environment, TimeSpan.FromMinutes(20), ct);
        Publish(up.StdOut);
        if (up.ExitCode != 0)
        {
            await DownAsync(environment);
            if (up.ExitCode == NestedEngineUnavailableExitCode)
            {
                // The node's last log line says why (e.g. "failed to start daemon: ..."); up.sh printed the rest.
                var why = up.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .LastOrDefault() ?? "no output";
                Unavailable($"this machine cannot run a Docker engine inside a container: {why}");
            }

            up.EnsureSuccess(".ci/swarm/up.sh");
        }

        var settings = ReadEnvFile(Path.Combine(stateDirectory, "swarm.env"));
        return new SwarmCluster(stateDirectory, settings, environment);
    }

    /// <summary>docker --host &lt;node&gt; args: node 1 is the manager.</summary>
    public Task<ProcessResult> DockerAsync(int node, IEnumerable<string> args, TimeSpan? timeout = null,
        CancellationToken ct = default) =>
        ProcessRunner.RunAsync("docker", ["--host", NodeHost(node), .. args], timeout: timeout, ct: ct);

    public Task<ProcessResult> ManagerAsync(params string[] args) => DockerAsync(1, args);

    /// <summary>Pushes an image of the host engine into the registry as <paramref name="name"/>; returns the name
    /// the nodes pull it by.</summary>
    public async Task<string> PushAsync(string sourceImage, string name)
    {
        var pushName = $"{RegistryPush}/{name}";
        (await ProcessRunner.RunAsync("docker", ["tag", sourceImage, pushName])).EnsureSuccess($"docker tag {pushName}");
        try
        {
            (await ProcessRunner.RunAsync("docker", ["push", "--quiet", pushName], timeout: TimeSpan.FromMinutes(5)))
                .EnsureSuccess($"docker push {pushName}");
        }
        finally
        {
            await ProcessRunner.RunAsync("docker", ["image", "rm", pushName]);
        }

        return $"{RegistryPull}/{name}";
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await DownAsync(_scriptEnvironment);
        }
    }

    /// <summary>down.sh, then the state folder with what the tests wrote there (the stack's env file).</summary>
    private static async Task DownAsync(IReadOnlyDictionary<string, string> environment)
    {
        var down = await ProcessRunner.RunAsync("bash", [Script("down.sh")], environment, TimeSpan.FromMinutes(3));
        if (down.ExitCode != 0)
        {
            // Not thrown: a failing clean-up would hide the test's own result. Leftovers carry the prefix's label.
            Console.Error.WriteLine($"down.sh failed ({down.ExitCode}): {down.StdErr}");
            return;
        }

        var stateDirectory = environment["ZDD_SWARM_STATE_DIR"];
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    private static string Script(string name) => Path.Combine(RepoPaths.Root, ".ci", "swarm", name);

    /// <summary>Skips the test with the reason, or fails it where Docker tests are required (CI).</summary>
    private static void Unavailable(string reason)
    {
        if (DockerRequirement.IsRequired)
        {
            throw new InvalidOperationException($"ZDD_REQUIRE_DOCKER=true but the local swarm cannot run: {reason}");
        }

        throw new DockerUnavailableException(DynamicSkipToken.Value + "No local swarm: " + reason);
    }

    private static void Publish(string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Report.Publish(line);
        }
    }

    private static Dictionary<string, string> ReadEnvFile(string path) => File.ReadAllLines(path)
        .Where(line => line.Length > 0 && !line.StartsWith('#') && line.Contains('=', StringComparison.Ordinal))
        .Select(line => line.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
