// The verbs other parts depend on: probe (the Dockerfile HEALTHCHECK, the deploy scripts), tls-cert (nginx's
// certificate) and migrate (the compose one-shot), run as the real process.
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Api.Cli;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class CliTests
{
    private static readonly Dictionary<string, string?> NoSettings = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probe_ReadyApp_ExitsZeroAndPrintsBody()
    {
        // Arrange
        await using var app = StartDevApp();
        var port = (await app.WaitUntilListeningAsync()).Port.ToString(CultureInfo.InvariantCulture);

        // Act: a generous --timeout, because the first readiness check of a fresh app is slow on a busy machine.
        var ready = await AppProcess.RunAsync(
            NoSettings, null, "probe", "/health/ready", "--port", port, "--timeout", "60");
        var missing = await AppProcess.RunAsync(NoSettings, null, "probe", "/no-such-path", "--port", port);

        // Assert
        Assert.Equal(0, ready.ExitCode);
        Assert.Contains("\"status\":\"Healthy\"", ready.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("answered 404", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_HostOption_ReachesThatHost()
    {
        // Arrange: the app listens on loopback; "localhost" is another name for it, as "nginx" is on the compose network.
        await using var app = StartDevApp();
        var port = (await app.WaitUntilListeningAsync()).Port.ToString(CultureInfo.InvariantCulture);

        // Act
        var probe = await AppProcess.RunAsync(
            NoSettings, null, "probe", "/profile", "--host", "localhost", "--port", port, "--timeout", "60");
        var nowhere = await AppProcess.RunAsync(NoSettings, null, "probe", "/profile", "--host", "127.0.0.2", "--port", "1");

        // Assert
        Assert.Equal(0, probe.ExitCode);
        Assert.Contains("\"slot\":", probe.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, nowhere.ExitCode);
        Assert.Contains("probe: GET http://127.0.0.2:1/profile failed", nowhere.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_UnreadyApp_ExitsOneAndPrintsBody()
    {
        // Arrange: a production instance whose database refuses connections is alive but not ready.
        await using var app = AppProcess.Start(new Dictionary<string, string?>(
            ApiFactory.Production(("DB_HOST", "127.0.0.1"), ("DB_PORT", "1")))
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        });
        var port = (await app.WaitUntilListeningAsync()).Port.ToString(CultureInfo.InvariantCulture);

        // Act
        // --timeout: as above; this is about the answer, not its speed.
        var probe = await AppProcess.RunAsync(
            NoSettings, null, "probe", "/health/ready", "--port", port, "--timeout", "60");

        // Assert
        Assert.Equal(1, probe.ExitCode);
        Assert.True(probe.StdErr.Contains("answered 503", StringComparison.Ordinal), probe.StdErr);
        Assert.Contains("\"database\":{\"status\":\"Unhealthy\"", probe.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NothingListening_ExitsOneWithoutNeedingSettings()
    {
        // Arrange: a malformed .env in the working directory must not matter to probe.
        var directory = TempDirectory.Create("probe");
        await File.WriteAllTextAsync(Path.Combine(directory, ".env"), "not a setting\n", Ct);

        // Act
        var probe = await AppProcess.RunAsync(
            new Dictionary<string, string?> { ["SLOT"] = "red" }, directory, "probe", "/health/live", "--port", "1");

        // Assert
        Assert.Equal(1, probe.ExitCode);
        Assert.Contains("probe: GET http://127.0.0.1:1/health/live failed", probe.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainWait_IdleApp_ExitsZeroAfterQuietWindow_AndThreeWhenNothingAnswers()
    {
        // Arrange: an app with nothing in flight; drain-wait finds its management port through MANAGEMENT_PORT.
        await using var app = StartDevApp();
        await app.WaitUntilListeningAsync();
        var management = new Dictionary<string, string?>
        {
            ["MANAGEMENT_PORT"] = app.ManagementPort.ToString(CultureInfo.InvariantCulture),
        };

        // Act
        var started = System.Diagnostics.Stopwatch.StartNew();
        var drained = await AppProcess.RunAsync(management, null, "drain-wait", "--quiet", "0.3", "--timeout", "30");
        var elapsed = started.Elapsed;
        var nobody = await AppProcess.RunAsync(new Dictionary<string, string?> { ["MANAGEMENT_PORT"] = "1" }, null,
            "drain-wait", "--timeout", "5");

        // Assert: drained only after the quiet window, with the slot's status as the last word.
        Assert.Equal(0, drained.ExitCode);
        Assert.Contains("\"inFlight\":0", drained.StdOut, StringComparison.Ordinal);
        Assert.Contains("\"drainWait\":true", drained.StdOut, StringComparison.Ordinal);
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.3), $"drained after {elapsed.TotalSeconds:0.00} s");
        Assert.Equal(DrainWaitCommand.NoAnswerExitCode, nobody.ExitCode);
        Assert.Contains("drain-wait: GET http://127.0.0.1:1/admin/status failed", nobody.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drain-wait", "--quiet", "-1")]
    [InlineData("drain-wait", "--timeout", "0")]
    [InlineData("probe")]
    [InlineData("probe", "health")]
    [InlineData("probe", "/health/live", "--port", "x")]
    [InlineData("probe", "/health/live", "--host", "not a host")]
    [InlineData("tls-cert")]
    public async Task Verb_BadUsage_ExitsTwoWithUsage(params string[] args)
    {
        // Act
        var result = await AppProcess.RunAsync(NoSettings, null, args);

        // Assert
        Assert.Equal(CommandLine.UsageExitCode, result.ExitCode);
        Assert.Contains("Usage:", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsCert_EmptyDirectory_WritesSelfSignedPairValid825Days()
    {
        // Arrange
        var directory = Path.Combine(TempDirectory.Create("tls"), "certs");

        // Act
        var result = await AppProcess.RunAsync(NoSettings, null, "tls-cert", directory, "--host", "example.test");

        // Assert
        Assert.Equal(0, result.ExitCode);
        using var certificate = X509Certificate2.CreateFromPemFile(
            Path.Combine(directory, TlsCertCommand.CertificateFile), Path.Combine(directory, TlsCertCommand.KeyFile));
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=example.test", certificate.Subject);
        Assert.InRange((certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays, 824, 826);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames();
        Assert.Equal(["example.test", "localhost"], names);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(Path.Combine(directory, TlsCertCommand.KeyFile)));
        }
    }

    [Fact]
    public async Task TlsCert_PairExists_KeepsIt()
    {
        // Arrange
        var directory = TempDirectory.Create("tls");
        var first = await AppProcess.RunAsync(NoSettings, null, "tls-cert", directory);
        var certificate = Path.Combine(directory, TlsCertCommand.CertificateFile);
        var before = SHA256.HashData(await File.ReadAllBytesAsync(certificate, Ct));

        // Act
        var second = await AppProcess.RunAsync(NoSettings, null, "tls-cert", directory);

        // Assert
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("kept them", second.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(certificate, Ct)));
    }

    [Fact]
    public async Task Migrate_Sqlite_CreatesSchemaAndExitsZero()
    {
        // Arrange
        var file = Path.Combine(TempDirectory.Create("migrate"), "notes.db");
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DB_ENGINE"] = "sqlite", ["DB_NAME"] = file,
        };

        // Act
        var result = await AppProcess.RunAsync(environment, null, "migrate");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("Migrated Microsoft.EntityFrameworkCore.Sqlite", result.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task Migrate_BadDatabaseSetting_ExitsOneNamingIt()
    {
        // Act
        var result = await AppProcess.RunAsync(
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DB_PORT"] = "abc" }, null, "migrate");

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("DB_PORT: expected an integer 1-65535, got 'abc'", result.StdErr, StringComparison.Ordinal);
    }

    private static AppProcess StartDevApp() => AppProcess.Start(new Dictionary<string, string?>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DB_NAME"] = Path.Combine(TempDirectory.Create("cli"), "notes.db"),
    });
}
