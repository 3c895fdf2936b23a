// A private instance of the shipped stack for one test (class): the repository's own docker-compose.yaml and nginx/
// files, used in place, under a compose project name, env file, API image repository and host ports of its own.
// Disposing it removes every container, network, volume and image tag it made.
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Docker.Testing;

public sealed partial class ComposeStack : IAsyncDisposable
{
    private readonly string tempDirectory;
    private readonly Dictionary<string, string> environment;
    private int disposed;

    private ComposeStack(string projectName, string tempDirectory, string envFile, string apiImageRepository,
        Dictionary<string, string> environment)
    {
        ProjectName = projectName;
        this.tempDirectory = tempDirectory;
        EnvFile = envFile;
        ApiImageRepository = apiImageRepository;
        this.environment = environment;
    }

    public string ProjectName { get; }

    /// <summary>The env file passed with --env-file and as ENV_FILE (the slots' env_file).</summary>
    public string EnvFile { get; }

    /// <summary>The image repository of this stack's slot tags (<c>:blue</c>, <c>:green</c>).</summary>
    public string ApiImageRepository { get; }

    /// <summary>The shipped compose file, used in place.</summary>
    public string ComposeFile => RepoPaths.ComposeFile;

    public Uri HttpsBase { get; private set; } = null!;

    public Uri HttpBase { get; private set; } = null!;

    /// <summary>
    /// What a child process (pwsh, docker compose) needs to target this stack: COMPOSE_PROJECT_NAME, COMPOSE_FILE,
    /// ENV_FILE and every entry of the env file, so that a variable exported in the developer's shell cannot win over
    /// the stack's own value (compose prefers the process environment to --env-file).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => environment;

    /// <summary>
    /// Writes the env file, builds the API image (once per process) and tags it as both slots, then runs
    /// <c>docker compose up -d --wait</c>. On failure, the compose logs are in the exception and the stack is removed.
    /// </summary>
    public static async Task<ComposeStack> StartAsync(ComposeStackOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await DockerRequirement.EnsureAvailableAsync().ConfigureAwait(false);

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var projectName = $"{options.NamePrefix}-{suffix}";
        var repository = $"{options.NamePrefix}-{suffix}/api";
        var tempDirectory = Directory.CreateTempSubdirectory($"{projectName}-").FullName;
        var envFile = Path.Combine(tempDirectory, "stack.env");

        var values = DefaultEnvironment(repository, envFile);
        foreach (var (key, value) in options.Environment)
        {
            values[key] = value;
        }

        await File.WriteAllTextAsync(envFile, Render(values), ct).ConfigureAwait(false);

        var processEnvironment = new Dictionary<string, string>(values, StringComparer.Ordinal)
        {
            ["COMPOSE_PROJECT_NAME"] = projectName,
            ["COMPOSE_FILE"] = RepoPaths.ComposeFile,
        };
        var stack = new ComposeStack(projectName, tempDirectory, envFile, repository, processEnvironment);
        try
        {
            var image = await ApiImage.BuildAsync(repository, options.ApiVersion, ct).ConfigureAwait(false);
            foreach (var slot in new[] { "blue", "green" })
            {
                (await ProcessRunner.RunAsync("docker", ["tag", image, $"{repository}:{slot}"], ct: ct)
                    .ConfigureAwait(false)).EnsureSuccess($"docker tag {image} {repository}:{slot}");
            }

            // --no-build/--pull never: the slot tags exist now; compose must neither rebuild nor try a registry.
            string[] up = ["up", "--detach", "--wait", "--no-build", "--pull", "never", .. options.Services];
            var result = await stack.ComposeWithTimeoutAsync(options.StartTimeout, ct, up).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                var logs = await stack.ComposeAsync("logs", "--no-color", "--tail", "80").ConfigureAwait(false);
                var ps = await stack.ComposeAsync("ps", "--all").ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"docker compose up --wait failed for {projectName} (exit {result.ExitCode}):\n{result.StdErr}\n" +
                    $"--- ps ---\n{ps.StdOut}\n--- logs ---\n{logs.StdOut}{logs.StdErr}");
            }

            stack.HttpBase = await stack.ResolvePortAsync(80, "http").ConfigureAwait(false);
            stack.HttpsBase = await stack.ResolvePortAsync(443, "https").ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <c>docker compose -p .. -f .. --env-file .. args</c> and returns the result (not checked).</summary>
    public Task<ProcessResult> ComposeAsync(params string[] args) =>
        ComposeWithTimeoutAsync(ProcessRunner.DefaultTimeout, CancellationToken.None, args);

    /// <summary>Runs a command in a running service container (<c>docker compose exec -T</c>).</summary>
    public Task<ProcessResult> ExecAsync(string service, params string[] command) =>
        ComposeAsync(["exec", "-T", service, .. command]);

    /// <summary>nginx's JSON access-log lines (one per request) written since <paramref name="since"/>.</summary>
    public async Task<string> NginxAccessLogAsync(DateTimeOffset since)
    {
        var timestamp = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var result = (await ComposeAsync("logs", "--no-color", "--no-log-prefix", "--since", timestamp, "nginx")
            .ConfigureAwait(false)).EnsureSuccess("docker compose logs nginx");
        // The error log shares the container's output; access-log lines are the JSON objects. Compose 2.26 puts an
        // ANSI erase-line sequence before each line even when its output is not a terminal.
        var lines = (result.StdOut + "\n" + result.StdErr)
            .Split('\n')
            .Select(line => AnsiEscape().Replace(line, string.Empty).Trim())
            .Where(line => line.StartsWith('{'));
        return string.Join('\n', lines);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial System.Text.RegularExpressions.Regex AnsiEscape();

    /// <summary>
    /// A client for nginx's HTTPS port: trusts the stack's self-signed certificate, sends <c>Host: localhost</c>,
    /// never follows redirects, and speaks exactly <paramref name="httpVersion"/> (HTTP/1.1 by default).
    /// </summary>
    public HttpClient CreateHttpClient(Version? httpVersion = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions =
            {
                // The stack's certificate is self-signed by tls-init; trusting it here is the point of a test client.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = HttpsBase,
            DefaultRequestVersion = httpVersion ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Host = "localhost";
        return client;
    }

    /// <summary><c>docker compose down -v --remove-orphans</c>, then removes every tag of this stack's repository.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        var problems = new List<string>();
        try
        {
            // -t 10: a test stack has no traffic left to drain; the 45 s grace period is for real swaps.
            var down = await ComposeAsync("down", "--volumes", "--remove-orphans", "--timeout", "10")
                .ConfigureAwait(false);
            if (down.ExitCode != 0)
            {
                problems.Add($"compose down: {down.StdErr}");
            }

            var tags = await ProcessRunner.RunAsync(
                "docker", ["image", "ls", "--filter", $"reference={ApiImageRepository}", "--format",
                    "{{.Repository}}:{{.Tag}}"]).ConfigureAwait(false);
            var names = tags.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length > 0)
            {
                var rm = await ProcessRunner.RunAsync("docker", ["image", "rm", "--force", .. names])
                    .ConfigureAwait(false);
                if (rm.ExitCode != 0)
                {
                    problems.Add($"image rm: {rm.StdErr}");
                }
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            problems.Add(e.Message);
        }
        finally
        {
            TryDeleteDirectory(tempDirectory);
        }

        if (problems.Count > 0)
        {
            // Not thrown: a failing dispose would hide the test's own result. Leftovers carry the project's prefix.
            Console.Error.WriteLine($"ComposeStack {ProjectName}: cleanup problems:\n{string.Join('\n', problems)}");
        }
    }

    private Task<ProcessResult> ComposeWithTimeoutAsync(TimeSpan timeout, CancellationToken ct, params string[] args)
    {
        string[] full = ["compose", "--project-name", ProjectName, "--file", ComposeFile, "--env-file", EnvFile, .. args];
        return ProcessRunner.RunAsync("docker", full, environment, timeout, ct);
    }

    private async Task<Uri> ResolvePortAsync(int containerPort, string scheme)
    {
        var result = (await ComposeAsync("port", "nginx", containerPort.ToString(CultureInfo.InvariantCulture))
            .ConfigureAwait(false)).EnsureSuccess($"docker compose port nginx {containerPort}");
        // "127.0.0.1:49153"; the host part is always the bind address, so only the port is taken from it.
        var text = result.StdOut.Trim().Split('\n')[0].Trim();
        var port = int.Parse(text[(text.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        return new Uri($"{scheme}://127.0.0.1:{port}/");
    }

    private static Dictionary<string, string> DefaultEnvironment(string repository, string envFile)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENV_FILE"] = envFile,
            ["API_IMAGE"] = repository,
            ["BIND_ADDRESS"] = "127.0.0.1",
            // 0: Docker picks free host ports, so that stacks of parallel tests never collide.
            ["HTTP_PORT"] = "0",
            ["HTTPS_PORT"] = "0",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SECRET_KEY"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["DB_NAME"] = "app",
            ["DB_USER"] = "app",
            ["DB_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["DB_MIGRATE_USER"] = "app_owner",
            ["DB_MIGRATE_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["DB_ADMIN_USER"] = "postgres",
            ["DB_ADMIN_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["ALLOWED_HOSTS"] = "localhost;127.0.0.1;api-blue;api-green",
            ["SHUTDOWN_TIMEOUT_SECONDS"] = "30",
            ["MAX_REQUEST_SECONDS"] = "10",
            // Tests need /slow for long in-flight requests. Start-up checks run every 1 s anyway (start_interval); the
            // steady interval is shorter than the shipped 10 s so that a slot turning unhealthy shows quickly.
            ["ENABLE_SLOW_ENDPOINT"] = "true",
            ["HEALTHCHECK_INTERVAL"] = "5s",
            // Every client of a test comes from one address (Docker's proxy for the loopback-published ports), and
            // the proof and the benchmark send thousands of requests per second from it: the shipped limits per
            // address (20 r/s, 20 at once) would refuse most of them. A test of the limits sets its own.
            ["LIMIT_REQ_RATE"] = "100000",
            ["LIMIT_REQ_BURST"] = "100000",
            ["LIMIT_CONN"] = "10000",
        };
        foreach (var (key, value) in Images.AsEnvironment())
        {
            values[key] = value;
        }

        return values;
    }

    private static string Render(IReadOnlyDictionary<string, string> values)
    {
        var text = new System.Text.StringBuilder("# Written by Docker.Testing.ComposeStack for one test stack.\n");
        foreach (var (key, value) in values)
        {
            if (value.Contains('\n') || value.Contains('\''))
            {
                throw new ArgumentException($"Env file value of {key} must be one line without single quotes.");
            }

            // Single quotes: compose takes the value literally (no ${...} interpolation inside).
            text.Append(key).Append("='").Append(value).Append("'\n");
        }

        return text.ToString();
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp directory is harmless.
        }
    }
}
