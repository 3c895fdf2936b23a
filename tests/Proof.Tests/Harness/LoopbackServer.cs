// An in-process Kestrel on 127.0.0.1 over TLS (HTTP/1.1 and HTTP/2) that imitates the API's surface (/profile,
// /slow, /notes, X-Slot), so that the harness itself is tested without Docker: it counts what it should, and it
// sees failures when the server produces them.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Proof.Tests.Harness;

public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _nextId;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>When set, every n-th request is answered 502, or aborted (a reset the client sees).</summary>
    public int FailEvery { get; set; }

    public bool FailByAbort { get; set; }

    public Uri HttpsBase { get; private set; } = null!;

    public static async Task<LoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using var certificate = CreateCertificate();
        var pfx = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(pfx);
        }));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        var requests = 0L;
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Slot"] = "blue";
            var n = Interlocked.Increment(ref requests);
            if (server.FailEvery > 0 && n % server.FailEvery == 0)
            {
                if (server.FailByAbort)
                {
                    context.Abort();
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                return;
            }

            await next(context);
        });
        app.MapGet("/profile", () => Results.Ok(new { slot = "blue" }));
        app.MapGet("/slow", async (int ms) =>
        {
            await Task.Delay(ms);
            return Results.Ok(new { slot = "blue", ms });
        });
        app.MapPost("/notes", (NoteIn note) =>
        {
            var id = Interlocked.Increment(ref server._nextId);
            return Results.Created($"/notes/{id}", new { id, text = note.Text });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        server.HttpsBase = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public sealed record NoteIn(string Text);
}
