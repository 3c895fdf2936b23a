// An nginx container (NGINX_IMAGE) running the repository's nginx/ files in place, the way docker-compose.yaml mounts
// and hardens them (user 101, read-only root with the same tmpfs mounts, no capabilities, no privilege gain), with a
// throwaway self-signed certificate in place of the tls-init volume and a tmpfs in place of the state volume. No API
// slots exist on its network: nginx must start and answer anyway (upstream `resolve`).
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.Testing;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;

namespace Stack.Tests;

internal sealed class NginxContainer : IAsyncDisposable
{
    private readonly INetwork network;
    private readonly string certificateDirectory;

    private NginxContainer(INetwork network, IContainer container, string certificateDirectory)
    {
        this.network = network;
        Container = container;
        this.certificateDirectory = certificateDirectory;
    }

    public IContainer Container { get; }

    public Uri HttpsBase => new($"https://127.0.0.1:{Container.GetMappedPublicPort(443)}/");

    /// <summary>The internal preview server (servers/preview.conf). Compose never publishes it; this test container
    /// does, so that a test can reach it from the host.</summary>
    public Uri PreviewBase => new($"http://127.0.0.1:{Container.GetMappedPublicPort(8081)}/");

    public static async Task<NginxContainer> StartAsync()
    {
        await DockerRequirement.EnsureAvailableAsync();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var certificateDirectory = WriteSelfSignedCertificate();

        // A user-defined network, as compose's: Docker's DNS (127.0.0.11, http/resolver.conf) exists only there.
        var network = new NetworkBuilder().WithName($"zdd-stack-nginx-{suffix}").Build();
        await network.CreateAsync();

        var container = new ContainerBuilder(Images.Nginx)
            .WithName($"zdd-stack-nginx-{suffix}")
            .WithNetwork(network)
            .WithEntrypoint("/bin/sh", "/etc/nginx/zdd/docker-entrypoint.sh")
            .WithBindMount(Path.Combine(RepoPaths.NginxDirectory, "nginx.conf"), "/etc/nginx/nginx.conf", AccessMode.ReadOnly)
            .WithBindMount(RepoPaths.NginxDirectory, "/etc/nginx/zdd", AccessMode.ReadOnly)
            .WithBindMount(certificateDirectory, "/etc/nginx/certs", AccessMode.ReadOnly)
            .WithPortBinding(443, assignRandomHostPort: true)
            .WithPortBinding(8081, assignRandomHostPort: true)
            .WithCreateParameterModifier(parameters =>
            {
                // As docker-compose.yaml's `nginx` service (tests/Stack.Tests/HardeningTests.cs checks that one).
                parameters.User = "101:101";
                parameters.HostConfig ??= new();
                parameters.HostConfig.ReadonlyRootfs = true;
                parameters.HostConfig.CapDrop = ["ALL"];
                parameters.HostConfig.SecurityOpt = ["no-new-privileges:true"];
                parameters.HostConfig.Tmpfs = new Dictionary<string, string>
                {
                    ["/run"] = "size=1m,uid=101,gid=101,mode=0755",
                    ["/etc/nginx/generated"] = "size=1m,uid=101,gid=101,mode=0755",
                    ["/tmp"] = "size=64m,uid=101,gid=101,mode=0700",
                    // The nginx-state volume, which compose's nginx-init hands to user 101.
                    ["/etc/nginx/state"] = "size=1m,uid=101,gid=101,mode=0755",
                };
            })
            // Started = the master wrote its pid file and runs (the compose healthcheck's test).
            .WithWaitStrategy(Wait.ForUnixContainer()
                .UntilCommandIsCompleted("sh", "-c", "kill -0 \"$(cat /run/nginx.pid)\""))
            .Build();
        var nginx = new NginxContainer(network, container, certificateDirectory);
        try
        {
            await container.StartAsync();
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a shell command inside the container.</summary>
    public Task<ExecResult> ShellAsync(string script) => Container.ExecAsync(["sh", "-c", script]);

    public HttpClient CreateHttpsClient(string host)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var client = new HttpClient(handler) { BaseAddress = HttpsBase, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Host = host;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Container.DisposeAsync();
        await network.DisposeAsync();
        Directory.Delete(certificateDirectory, recursive: true);
    }

    private static string WriteSelfSignedCertificate()
    {
        var directory = Directory.CreateTempSubdirectory("zdd-stack-cert-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "tls.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        // nginx runs as user 101, not as this file's owner: the temp directory and the key must be readable to it.
        // (Compose's nginx-init makes the real key nginx's own instead.)
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
                    | UnixFileMode.OtherRead);
            }
        }

        return directory;
    }
}
