// One compose stack of the shipped files for the security tests (HardeningTests, DatabaseRolesTests, EdgeTests,
// TlsScanTests), started by the first of them. Unlike the other test stacks it keeps limits low enough to reach
// (10 requests per second with a burst of 10, 3 at once) and turns HSTS on, so that both can be seen; the tests of the
// collection run one after the other and stay under those limits except where they mean to cross them.
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

[CollectionDefinition(Name)]
public sealed class HardenedStackCollection : ICollectionFixture<HardenedStack>
{
    public const string Name = "hardened stack";
}

public sealed class HardenedStack : IAsyncLifetime
{
    public const int RequestsPerSecond = 10;
    public const int Burst = 10;
    public const int ConcurrentRequests = 3;
    public const int HstsMaxAge = 63072000;

    private readonly SharedDockerResource<ComposeStack> stack = new(
        () => ComposeStack.StartAsync(new ComposeStackOptions
        {
            NamePrefix = "zdd-hard",
            Environment = new Dictionary<string, string>
            {
                ["LIMIT_REQ_RATE"] = RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["LIMIT_REQ_BURST"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["LIMIT_CONN"] = ConcurrentRequests.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["HSTS_MAX_AGE"] = HstsMaxAge.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        }),
        started => started.DisposeAsync());

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public Task<ComposeStack> StartedAsync() => stack.GetAsync();

    public ValueTask DisposeAsync() => stack.DisposeAsync();

    /// <summary>Waits until the request-rate bucket is full again (burst / rate, and a margin).</summary>
    public static Task RefillAsync(CancellationToken ct) =>
        Task.Delay(TimeSpan.FromSeconds((double)Burst / RequestsPerSecond + 1), ct);

    /// <summary>
    /// psql inside the db container, over TCP as <paramref name="user"/> with its password (so the password
    /// authentication of the role is part of the check). Returns the result unchecked: refusals are the point.
    /// </summary>
    public static Task<ProcessResult> PsqlAsync(ComposeStack stack, string user, string password, string sql) =>
        stack.ExecAsync("db", "psql", $"postgresql://{user}:{password}@127.0.0.1:5432/{stack.Environment["DB_NAME"]}",
            "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-c", sql);

    /// <summary>The number of rows in notes, read by the superuser.</summary>
    public static async Task<int> NoteCountAsync(ComposeStack stack)
    {
        var result = (await PsqlAsync(stack, stack.Environment["DB_ADMIN_USER"], stack.Environment["DB_ADMIN_PASSWORD"],
            "SELECT count(*) FROM notes")).EnsureSuccess("counting notes");
        return int.Parse(result.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Sends <paramref name="request"/> byte for byte over TLS (SNI localhost) to nginx's HTTPS port and returns what
    /// came back before nginx closed the connection or 10 s passed: "" when nginx closed without answering (444).
    /// For requests an HttpClient would refuse to send.
    /// </summary>
    public static async Task<string> RawHttpsAsync(ComposeStack stack, string request, CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(stack.HttpsBase.Host, stack.HttpsBase.Port, ct);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, ct);
        await tls.WriteAsync(Encoding.Latin1.GetBytes(request), ct);
        await tls.FlushAsync(ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // A reset, or nginx kept the connection open after answering: what arrived is the answer.
        }

        return Encoding.Latin1.GetString(answer.ToArray());
    }
}
