// The bench-only nginx for the throughput ceiling: the same nginx image as the stack, answering `return 200`
// itself, so that "API through nginx" can be put beside "nginx alone" in the same run. It is a container of its
// own (named after the bench's compose project, removed at the end) with a generated nginx.conf that includes the
// shipped nginx/http/ and nginx/snippets/ files (mounted read-only, not changed): the same access log, TLS,
// keep-alive and headers as the public server. Only the upstream and the proxying are missing, which is what the
// ratio measures. A second server (port 8444) answers the same way after the public server's per-request choice of
// slot (nginx/snippets/active-slot.conf, stat() calls of the marker files): the cost of switching without reloads.
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.Testing;

namespace Bench;

public sealed class CeilingNginx : IAsyncDisposable
{
    private readonly string _directory;

    private CeilingNginx(string name, string directory, Uri baseUri, Uri markerCheckUri)
    {
        Name = name;
        _directory = directory;
        BaseUri = baseUri;
        MarkerCheckUri = markerCheckUri;
    }

    public string Name { get; }

    /// <summary>nginx `return 200`.</summary>
    public Uri BaseUri { get; }

    /// <summary>nginx `return 200` after the active-slot marker check.</summary>
    public Uri MarkerCheckUri { get; }

    public static async Task<CeilingNginx> StartAsync(string projectName, string image, CancellationToken ct)
    {
        var name = $"{projectName}-ceiling-nginx";
        var directory = Directory.CreateTempSubdirectory($"{name}-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), Config(), ct);
        WriteSelfSignedCertificate(directory);
        // The state directory the marker check reads, holding the marker the stack's entrypoint writes first.
        var state = Directory.CreateDirectory(Path.Combine(directory, "state")).FullName;
        await File.WriteAllTextAsync(Path.Combine(state, "active-slot.blue"), "bench\n", ct);

        // The container's nginx workers must read the files; the temp directory is private to its owner by default.
        // (Windows: Docker Desktop shares the files without Unix modes.)
        if (!OperatingSystem.IsWindows())
        {
            MakeReadable(directory);
            MakeReadable(state);
        }

        const int port = 8443;
        const int markerPort = 8444;
        var nginx = new CeilingNginx(name, directory, null!, null!);
        string[] run =
        [
            "run", "--detach", "--name", name, "--label", $"zdd.bench.project={projectName}",
            "--publish", $"127.0.0.1::{port}",
            "--publish", $"127.0.0.1::{markerPort}",
            // At the stack's path, so that relative includes (zdd/..., and mime.types inside them) resolve the same.
            "--volume", $"{Path.Combine(directory, "nginx.conf")}:/etc/nginx/nginx.conf:ro",
            "--volume", $"{RepoPaths.NginxDirectory}:/etc/nginx/zdd:ro",
            // snippets/tls.conf reads the certificate from here, as in the stack (where tls-init writes it).
            "--volume", $"{directory}:/etc/nginx/certs:ro",
            "--volume", $"{state}:/etc/nginx/state:ro",
            "--pull", "never",
            image,
            "nginx", "-g", "daemon off;",
        ];
        try
        {
            (await ProcessRunner.RunAsync("docker", run, timeout: TimeSpan.FromMinutes(1), ct: ct))
                .EnsureSuccess($"docker run {name}");
            var hostPort = await HostPortAsync(name, port, ct);
            var markerHostPort = await HostPortAsync(name, markerPort, ct);
            return new CeilingNginx(name, directory, new Uri($"https://127.0.0.1:{hostPort}/"),
                new Uri($"https://127.0.0.1:{markerHostPort}/"));
        }
        catch (InvalidOperationException e)
        {
            // The container's own words (a config error, usually) are the useful part of the failure.
            var logs = await ProcessRunner.RunAsync("docker", ["logs", "--tail", "30", name], timeout: TimeSpan.FromSeconds(30));
            await nginx.DisposeAsync();
            throw new InvalidOperationException($"{e.Message}\n--- docker logs {name} ---\n{logs.StdOut}{logs.StdErr}", e);
        }
    }

    private static async Task<int> HostPortAsync(string name, int port, CancellationToken ct)
    {
        var mapped = (await ProcessRunner.RunAsync("docker", ["port", name, $"{port}/tcp"],
            timeout: TimeSpan.FromSeconds(30), ct: ct)).EnsureSuccess($"docker port {name}");
        var text = mapped.StdOut.Trim().Split('\n')[0].Trim();
        return int.Parse(text[(text.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        var rm = await ProcessRunner.RunAsync("docker", ["rm", "--force", "--volumes", Name], timeout: TimeSpan.FromSeconds(60));
        if (rm.ExitCode != 0 && !rm.StdErr.Contains("No such container", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"could not remove {Name}: {rm.StdErr}");
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>
    /// Mirrors nginx/nginx.conf and nginx/servers/api.conf, minus the proxying: the values of the main context are
    /// repeated (it cannot be included), everything of the http and server contexts is the shipped files themselves.
    /// REVIEW: worker_processes and worker_connections are copies of nginx/nginx.conf's; keep them in step.
    /// </summary>
    public static string Config() => """
        # Bench-only nginx (bench/CeilingNginx.cs): answers every request itself, for the throughput ceiling.
        worker_processes auto;
        pid /tmp/nginx-bench.pid;
        error_log stderr warn;
        events {
          worker_connections 2048;
        }
        http {
          include zdd/http/basics.conf;
          include zdd/http/logging.conf;
          server {
            listen 8443 ssl;
            http2 on;
            include zdd/snippets/tls.conf;
            include zdd/snippets/security-headers.conf;
            location / {
              default_type application/json;
              return 200 '{"slot":"none","profile":"bench","version":"0","host":"nginx"}';
            }
          }
          server {
            listen 8444 ssl;
            http2 on;
            include zdd/snippets/tls.conf;
            include zdd/snippets/security-headers.conf;
            include zdd/snippets/active-slot.conf;
            location / {
              if ($active_upstream = "") {
                return 503;
              }
              default_type application/json;
              return 200 '{"slot":"none","profile":"bench","version":"0","host":"nginx"}';
            }
          }
        }

        """;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakeReadable(string directory)
    {
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var f in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    private static void WriteSelfSignedCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(directory, "tls.crt"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "tls.key"), key.ExportPkcs8PrivateKeyPem());
    }
}
