// Throughput side by side, plain HTTP through ONE nginx: GET /profile proxied to the API's serving slot (production
// settings), to a trivial upstream (an nginx answering `return 200` with the same body), to the original service
// (Django + DRF on gunicorn, 3 sync workers; bench/django/), and to a copy of the serving slot with the per-request
// console log switched back on (the API as it was before that log was turned off in production: the baseline).
//
// Why this setup: the front nginx runs on the host network (no docker-proxy between wrk and nginx) and listens on
// 127.0.0.1 only; each target is one `server` of it with the shipped proxy settings (nginx/snippets/proxy.conf, the
// upstream keep-alive lines of nginx/upstreams/api-blue.conf, the shipped access log), so the targets differ only in
// what answers behind nginx. The upstreams are containers on the stack's compose network, reached by address. Rounds
// alternate the targets (each round starts with a different one), so that a shared machine's drifting background load
// falls on all of them alike; the ratios are the medians of the rounds' ratios.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.Testing;

namespace Bench;

public sealed record SideBySideRound(
    int Round,
    WrkResult Api,
    WrkResult Trivial,
    WrkResult Django,
    WrkResult ApiRequestLogOn,
    double ApiToTrivial,
    double ApiToDjango,
    double ApiRequestLogOnToTrivial,
    double ApiRequestLogOnToDjango);

public sealed record SideBySideReport(
    int Threads,
    int Connections,
    double DurationSeconds,
    string DjangoImage,
    string DjangoVersions,
    WrkResult Api,
    WrkResult Trivial,
    WrkResult Django,
    WrkResult ApiRequestLogOn,
    double ApiToTrivial,
    double ApiToDjango,
    double ApiRequestLogOnToTrivial,
    double ApiRequestLogOnToDjango,
    IReadOnlyList<SideBySideRound> Rounds);

public static partial class SideBySide
{
    private const string TrivialBody = "{\"slot\":\"blue\",\"profile\":\"production\",\"version\":\"trivial\"}";

    public static async Task<SideBySideReport> MeasureAsync(ComposeStack stack, WrkSettings w, int rounds, bool full,
        Task<(string Image, string Versions)> djangoImageBuild, Action<string> log, CancellationToken ct)
    {
        var (djangoImage, djangoVersions) = await djangoImageBuild;
        var network = $"{stack.ProjectName}_default";
        var prefix = $"{stack.ProjectName}-sbs";
        var containers = new List<string>();
        var directory = Directory.CreateTempSubdirectory($"{prefix}-").FullName;
        try
        {
            var apiId = (await stack.ComposeAsync("ps", "--quiet", "api-blue")).EnsureSuccess("compose ps api-blue").StdOut.Trim();
            var apiAddress = await AddressAsync(apiId, network, ct);

            // The trivial upstream: the same nginx image answering `return 200` itself, no access log (neither the
            // API in production nor gunicorn writes one per request).
            var trivialConf = Path.Combine(directory, "trivial.conf");
            await File.WriteAllTextAsync(trivialConf, TrivialConfig(), ct);
            MakeReadable(directory);
            var trivial = await RunContainerAsync($"{prefix}-trivial", containers,
                ["--network", network, "--volume", $"{trivialConf}:/etc/nginx/nginx.conf:ro", Images.Nginx,
                    "nginx", "-g", "daemon off;"], ct);
            var django = await RunContainerAsync($"{prefix}-django", containers, ["--network", network, djangoImage], ct);
            var logOn = await StartRequestLogOnCopyAsync(apiId, $"{prefix}-api-log-on", network, containers, ct);

            var upstreams = new Dictionary<string, string>
            {
                ["api"] = $"{apiAddress}:8080",
                ["trivial"] = $"{await AddressAsync(trivial, network, ct)}:8080",
                ["django"] = $"{await AddressAsync(django, network, ct)}:8000",
                ["api_log_on"] = $"{await AddressAsync(logOn, network, ct)}:8080",
            };
            var ports = upstreams.Keys.ToDictionary(k => k, _ => FreePort());
            var frontConf = Path.Combine(directory, "front.conf");
            await File.WriteAllTextAsync(frontConf, FrontConfig(upstreams, ports, KeepaliveLines()), ct);
            MakeReadable(directory);
            await RunContainerAsync($"{prefix}-front", containers,
                ["--network", "host",
                    "--volume", $"{frontConf}:/etc/nginx/nginx.conf:ro",
                    "--volume", $"{RepoPaths.NginxDirectory}:/etc/nginx/zdd:ro",
                    Images.Nginx, "nginx", "-g", "daemon off;"], ct);

            var urls = ports.ToDictionary(kv => kv.Key, kv => $"http://127.0.0.1:{kv.Value}/profile");
            await WaitAnsweringAsync(urls, ct);

            // Warm-up (JIT, connection pools, gunicorn's workers), not reported.
            var warm = w with { Duration = TimeSpan.FromSeconds(full ? 3 : 1) };
            foreach (var url in urls.Values)
            {
                await Wrk.RunAsync(url, warm, ct);
            }

            log($"side by side, plain HTTP through one nginx on the host network: wrk {w.Threads} threads, " +
                $"{w.Connections} connections, {rounds} x {w.Duration.TotalSeconds:0} s per target (API, trivial " +
                "upstream, Django + DRF on gunicorn, API with the per-request log on), alternating");
            string[] order = ["api", "trivial", "django", "api_log_on"];
            var results = new List<SideBySideRound>();
            for (var i = 0; i < rounds; i++)
            {
                var r = new Dictionary<string, WrkResult>();
                for (var k = 0; k < order.Length; k++)
                {
                    var name = order[(i + k) % order.Length];
                    r[name] = await Wrk.RunAsync(urls[name], w, ct);
                }

                var round = new SideBySideRound(i + 1, r["api"], r["trivial"], r["django"], r["api_log_on"],
                    Stats.Ratio(r["api"].RequestsPerSecond, r["trivial"].RequestsPerSecond),
                    Stats.Ratio(r["api"].RequestsPerSecond, r["django"].RequestsPerSecond),
                    Stats.Ratio(r["api_log_on"].RequestsPerSecond, r["trivial"].RequestsPerSecond),
                    Stats.Ratio(r["api_log_on"].RequestsPerSecond, r["django"].RequestsPerSecond));
                results.Add(round);
                log($"  round {i + 1}: API {r["api"].RequestsPerSecond:0} req/s (p99 {r["api"].LatencyP99Ms} ms), " +
                    $"trivial {r["trivial"].RequestsPerSecond:0}, Django {r["django"].RequestsPerSecond:0}, " +
                    $"API with request log {r["api_log_on"].RequestsPerSecond:0}; API/trivial {round.ApiToTrivial}, " +
                    $"API/Django {round.ApiToDjango}; errors {r.Values.Sum(x => x.Errors)}");
            }

            double Median(Func<SideBySideRound, double> f) => Stats.Round(Stats.Median(results.Select(f).ToList()));
            return new SideBySideReport(w.Threads, w.Connections, w.Duration.TotalSeconds, djangoImage, djangoVersions,
                Wrk.Combine(results.Select(x => x.Api).ToList()),
                Wrk.Combine(results.Select(x => x.Trivial).ToList()),
                Wrk.Combine(results.Select(x => x.Django).ToList()),
                Wrk.Combine(results.Select(x => x.ApiRequestLogOn).ToList()),
                Median(x => x.ApiToTrivial), Median(x => x.ApiToDjango),
                Median(x => x.ApiRequestLogOnToTrivial), Median(x => x.ApiRequestLogOnToDjango), results);
        }
        finally
        {
            foreach (var c in containers)
            {
                await ProcessRunner.RunAsync("docker", ["rm", "--force", "--volumes", c], timeout: TimeSpan.FromSeconds(60));
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }
    }

    /// <summary>bench/django/build-image.sh: builds the image once (cached by a hash label) and prints its name.</summary>
    public static async Task<(string Image, string Versions)> BuildDjangoImageAsync(Action<string> log, CancellationToken ct)
    {
        var script = Path.Combine(BenchOptions.FindBenchDirectory(), "django", "build-image.sh");
        log("the original service's image (Django + DRF on gunicorn, from Debian packages; built once, then cached)");
        var built = (await ProcessRunner.RunAsync("bash", [script], timeout: TimeSpan.FromMinutes(10), ct: ct))
            .EnsureSuccess($"{script} (needs mmdebstrap and a Debian mirror the first time)");
        foreach (var line in built.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            log("  " + line.Trim());
        }

        var image = built.StdOut.Trim().Split('\n')[^1].Trim();
        var versions = (await ProcessRunner.RunAsync("docker",
                ["run", "--rm", image, "python3", "-c",
                    "import django, rest_framework, gunicorn; print('Django', django.get_version(), 'DRF', " +
                    "rest_framework.VERSION, 'gunicorn', gunicorn.__version__)"],
                timeout: TimeSpan.FromMinutes(1), ct: ct)).EnsureSuccess("django image versions").StdOut.Trim();
        return (image, versions);
    }

    /// <summary>
    /// A copy of the serving slot's container (same image, same environment, same network) with
    /// Logging__LogLevel__RequestLog=Information: the one line per request that production wrote before.
    /// </summary>
    private static async Task<string> StartRequestLogOnCopyAsync(string apiId, string name, string network,
        List<string> containers, CancellationToken ct)
    {
        var inspect = (await ProcessRunner.RunAsync("docker",
            ["inspect", "--format", "{{json .Config.Env}}|{{.HostConfig.Memory}}|{{.HostConfig.PidsLimit}}|{{.Config.Image}}",
                apiId], ct: ct)).EnsureSuccess("inspect api-blue").StdOut.Trim();
        var parts = inspect.Split('|');
        var env = JsonSerializer.Deserialize<string[]>(parts[0]) ?? [];
        var image = parts[^1];
        // Values pass through this process's environment (`-e NAME` without a value), so no secret is written to a
        // file or shows in a process list.
        var values = new Dictionary<string, string>();
        // The slot's limits and hardening too (docker-compose.yaml): the GC sizes its heap to the memory limit.
        var args = new List<string>
        {
            "run", "--detach", "--name", name, "--network", network,
            "--memory", long.TryParse(parts[1], out var memory) ? $"{memory}" : "0",
            "--pids-limit", long.TryParse(parts[2], out var pids) && pids > 0 ? $"{pids}" : "-1",
            "--read-only", "--tmpfs", "/tmp:size=16m,mode=1777", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges:true",
        };
        foreach (var pair in env)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            values[pair[..eq]] = pair[(eq + 1)..];
            args.AddRange(["--env", pair[..eq]]);
        }

        values["Logging__LogLevel__RequestLog"] = "Information";
        args.AddRange(["--env", "Logging__LogLevel__RequestLog", "--pull", "never", image]);
        containers.Add(name);
        (await ProcessRunner.RunAsync("docker", args, env: values, timeout: TimeSpan.FromMinutes(1), ct: ct))
            .EnsureSuccess($"docker run {name}");
        return name;
    }

    private static async Task<string> RunContainerAsync(string name, List<string> containers, string[] args,
        CancellationToken ct)
    {
        containers.Add(name);
        (await ProcessRunner.RunAsync("docker", ["run", "--detach", "--name", name, "--pull", "never", .. args],
            timeout: TimeSpan.FromMinutes(1), ct: ct)).EnsureSuccess($"docker run {name}");
        return name;
    }

    private static async Task<string> AddressAsync(string container, string network, CancellationToken ct)
    {
        var address = (await ProcessRunner.RunAsync("docker",
            ["inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", container],
            timeout: TimeSpan.FromSeconds(30), ct: ct)).EnsureSuccess($"address of {container}").StdOut.Trim();
        return IPAddress.TryParse(address, out _)
            ? address
            : throw new InvalidOperationException($"{container} has no address on {network}: '{address}'");
    }

    /// <summary>Every target answers 200 before any is measured (gunicorn and the log-on copy take a moment).</summary>
    private static async Task WaitAnsweringAsync(Dictionary<string, string> urls, CancellationToken ct)
    {
        // Generous: a fresh .NET process on a busy machine may take seconds over its first request.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        foreach (var (name, url) in urls)
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            string last = "no answer";
            while (true)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.Host = "localhost";
                    using var response = await client.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }

                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
                catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
                {
                    last = e.Message;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"side-by-side target {name} ({url}) did not answer 200 in 120 s: {last}");
                }

                await Task.Delay(250, ct);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The keep-alive lines of the shipped upstream (keepalive, keepalive_timeout, keepalive_requests).</summary>
    public static IReadOnlyList<string> KeepaliveLines()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.NginxDirectory, "upstreams", "api-blue.conf"));
        var lines = KeepaliveLine().Matches(text).Select(m => m.Value.Trim()).ToList();
        return lines.Count > 0 ? lines : throw new InvalidOperationException("nginx/upstreams/api-blue.conf has no keepalive line");
    }

    [GeneratedRegex(@"^\s*keepalive(_\w+)?\s+[^;]+;", RegexOptions.Multiline)]
    private static partial Regex KeepaliveLine();

    public static string FrontConfig(IReadOnlyDictionary<string, string> upstreams, IReadOnlyDictionary<string, int> ports,
        IReadOnlyList<string> keepalive)
    {
        var c = new StringBuilder();
        c.Append("""
            # Bench-only front nginx (bench/SideBySide.cs): one server per target, the shipped proxy settings.
            worker_processes auto;
            pid /tmp/nginx-sbs.pid;
            error_log stderr warn;
            events {
              worker_connections 2048;
            }
            http {
              include zdd/http/basics.conf;
              include zdd/http/logging.conf;

            """);
        foreach (var (name, address) in upstreams)
        {
            c.Append(CultureInfo.InvariantCulture, $"  upstream {name} {{\n    server {address} max_fails=0;\n");
            foreach (var line in keepalive)
            {
                c.Append(CultureInfo.InvariantCulture, $"    {line}\n");
            }

            c.Append("  }\n");
            c.Append(CultureInfo.InvariantCulture, $"  server {{\n    listen 127.0.0.1:{ports[name]};\n    location / {{\n");
            c.Append("      include zdd/snippets/proxy.conf;\n      proxy_set_header Host $host;\n");
            c.Append(CultureInfo.InvariantCulture, $"      proxy_pass http://{name};\n    }}\n  }}\n");
        }

        c.Append("}\n");
        return c.ToString();
    }

    private static string TrivialConfig() => $$"""
        # Bench-only trivial upstream (bench/SideBySide.cs): answers /profile itself.
        worker_processes auto;
        pid /tmp/nginx-trivial.pid;
        error_log stderr warn;
        events {
          worker_connections 2048;
        }
        http {
          access_log off;
          keepalive_requests 1000000;
          server {
            listen 8080;
            location / {
              default_type application/json;
              add_header X-Slot blue;
              return 200 '{{TrivialBody}}';
            }
          }
        }

        """;

    private static void MakeReadable(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var f in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }
}
