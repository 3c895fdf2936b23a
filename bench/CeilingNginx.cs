// The bench-only nginx for the throughput ceiling: the same nginx image as the stack, answering `return 200`
// itself, so that "API through nginx" can be put beside "nginx alone" in the same run. It is a container of its
// own (named after the bench's compose project, removed at the end) with a small generated config: the shipped
// nginx/ files are not touched. Its config copies what costs time per request in the shipped nginx (workers,
// keep-alive, a JSON access log to stdout, TLS when the API is measured over TLS), so the ratio is the price of
// proxying to the API, not of a leaner nginx.
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.Testing;

namespace Bench;

public sealed class CeilingNginx : IAsyncDisposable
{
    private readonly string _directory;

    private CeilingNginx(string name, string directory, Uri baseUri)
    {
        Name = name;
        _directory = directory;
        BaseUri = baseUri;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public static async Task<CeilingNginx> StartAsync(string projectName, string image, bool tls, CancellationToken ct)
    {
        var name = $"{projectName}-ceiling-nginx";
        var directory = Directory.CreateTempSubdirectory($"{name}-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), Config(tls), ct);
        if (tls)
        {
            WriteSelfSignedCertificate(directory);
        }

        // The container's nginx workers must read the files; the temp directory is private to its owner by default.
        // (Windows: Docker Desktop shares the files without Unix modes.)
        if (!OperatingSystem.IsWindows())
        {
            MakeReadable(directory);
        }

        var port = tls ? 8443 : 8080;
        var nginx = new CeilingNginx(name, directory, null!);
        string[] run =
        [
            "run", "--detach", "--name", name, "--label", $"zdd.bench.project={projectName}",
            "--publish", $"127.0.0.1::{port}",
            "--volume", $"{directory}:/etc/nginx/bench:ro",
            "--pull", "never",
            image,
            "nginx", "-c", "/etc/nginx/bench/nginx.conf", "-g", "daemon off;",
        ];
        try
        {
            (await ProcessRunner.RunAsync("docker", run, timeout: TimeSpan.FromMinutes(1), ct: ct))
                .EnsureSuccess($"docker run {name}");
            var mapped = (await ProcessRunner.RunAsync("docker", ["port", name, $"{port}/tcp"],
                timeout: TimeSpan.FromSeconds(30), ct: ct)).EnsureSuccess($"docker port {name}");
            var text = mapped.StdOut.Trim().Split('\n')[0].Trim();
            var hostPort = int.Parse(text[(text.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            return new CeilingNginx(name, directory, new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{hostPort}/"));
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
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

    public static string Config(bool tls) => $$"""
        # Bench-only nginx (bench/CeilingNginx.cs): answers every request itself, for the throughput ceiling.
        worker_processes auto;
        pid /tmp/nginx-bench.pid;
        error_log stderr warn;
        events {
          worker_connections 4096;
        }
        http {
          server_tokens off;
          # One JSON line per request to stdout, as the shipped nginx logs: logging is part of nginx's cost.
          log_format bench_json escape=json '{"time_iso8601":"$time_iso8601","msec":"$msec","status":"$status",'
            '"request":"$request","request_time":"$request_time","upstream_addr":"$upstream_addr",'
            '"upstream_status":"$upstream_status","upstream_response_time":"$upstream_response_time",'
            '"server_protocol":"$server_protocol","body_bytes_sent":"$body_bytes_sent"}';
          access_log /dev/stdout bench_json;
          keepalive_timeout 65s;
          server {
            {{(tls ? "listen 8443 ssl;\n    ssl_certificate /etc/nginx/bench/tls.crt;\n    ssl_certificate_key /etc/nginx/bench/tls.key;" : "listen 8080;")}}
            location / {
              default_type application/json;
              add_header X-Slot none always;
              return 200 '{"slot":"none"}';
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
