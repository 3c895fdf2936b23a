// The built app run as a real process (`dotnet Api.dll`), for what only the real entry point shows: exit codes,
// what an operator reads on stderr, .env files, SIGTERM, a startup hook, the management port. The environment is
// cleared of every variable that docs/api.md documents and of the test faults' variables first, so that the
// machine's own settings cannot leak into a test. Each process gets a free management port of its own
// (MANAGEMENT_PORT), so that parallel tests do not all bind 9090.
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Api.Tests.Infrastructure;

public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly string[] SettingVariables =
    [
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTENV_PATH",
        "SECRET_KEY", "SLOT", "APP_VERSION", "SHUTDOWN_TIMEOUT_SECONDS", "MAX_REQUEST_SECONDS", "ENABLE_SLOW_ENDPOINT",
        "ALLOWED_HOSTS", "TRUSTED_PROXIES", "DB_ENGINE", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST", "DB_PORT",
        "DOTNET_STARTUP_HOOKS", "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", "ZDD_FAULT",
        "MANAGEMENT_PORT", "EXPOSE_INSTANCE_DETAILS", "DB_MIGRATE_USER",
        "DB_MIGRATE_PASSWORD", "ZDD_COMPOSE_STACK", "ASPNETCORE_HTTPS_PORTS",
    ];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process, int managementPort)
    {
        _process = process;
        ManagementPort = managementPort;
    }

    /// <summary>MANAGEMENT_PORT of this process: where /admin answers, on 127.0.0.1.</summary>
    public int ManagementPort { get; }

    /// <summary>http://127.0.0.1:ManagementPort/.</summary>
    public Uri ManagementBase => new($"http://127.0.0.1:{ManagementPort}/");

    /// <summary>The directory of the built Api.dll and its appsettings*.json (copied beside the tests).</summary>
    public static string AppDirectory { get; } = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;

    public int Id => _process.Id;

    public string StdOut { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StdErr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>Starts the app. <paramref name="environment"/> null values unset a variable.</summary>
    public static AppProcess Start(
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? TempDirectory.Create("cwd"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppDirectory, "Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in SettingVariables)
        {
            start.Environment.Remove(name);
        }

        // appsettings*.json live beside Api.dll; the working directory is where a test puts its .env.
        start.Environment["ASPNETCORE_CONTENTROOT"] = AppDirectory;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["MANAGEMENT_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var managementPort = int.TryParse(start.Environment["MANAGEMENT_PORT"], out var port) ? port : 0;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process, managementPort);
        process.OutputDataReceived += (_, e) => app.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (app._stderr) { app._stderr.AppendLine(e.Data); }
            }
        };
        process.Exited += (_, _) => app._listening.TrySetException(
            new InvalidOperationException($"The app exited before listening.\n{app.StdOut}\n{app.StdErr}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Runs the app to its exit and returns the exit code.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null, params string[] args)
    {
        await using var app = Start(environment, workingDirectory, args);
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, app.StdOut, app.StdErr);
    }

    /// <summary>The public base address, once Kestrel reports "Now listening on:" for it.</summary>
    public Task<Uri> WaitUntilListeningAsync() => _listening.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as `docker stop` does.</summary>
    public async Task TerminateAsync()
    {
        var pid = _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var kill = Process.Start("kill", ["-TERM", pid]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout) { _stdout.AppendLine(line); }
        if (ListeningPattern().Match(line) is { Success: true } match
            && new Uri(match.Groups[1].Value) is var address && address.Port != ManagementPort)
        {
            _listening.TrySetResult(address);
        }
    }

    // A port nobody listens on now; the app binds it a moment later (a race that loses only if another process
    // takes the same port in between).
    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();
}
