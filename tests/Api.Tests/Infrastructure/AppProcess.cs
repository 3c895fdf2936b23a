// The built app run as a real process (`dotnet Api.dll`), for what only the real entry point shows: exit codes,
// what an operator reads on stderr, .env files, SIGTERM, a startup hook. The environment is cleared of every
// variable that docs/api.md documents and of the test faults' variables first, so that the machine's own settings
// cannot leak into a test.
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Api.Tests.Infrastructure;

public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly string[] ContractVariables =
    [
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTENV_PATH",
        "SECRET_KEY", "SLOT", "APP_VERSION", "SHUTDOWN_TIMEOUT_SECONDS", "MAX_REQUEST_SECONDS", "ENABLE_SLOW_ENDPOINT",
        "ALLOWED_HOSTS", "TRUSTED_PROXIES", "DB_ENGINE", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST", "DB_PORT",
        "DOTNET_STARTUP_HOOKS", "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", "ZDD_FAULT",
    ];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process) => _process = process;

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

        foreach (var name in ContractVariables)
        {
            start.Environment.Remove(name);
        }

        // appsettings*.json live beside Api.dll; the working directory is where a test puts its .env.
        start.Environment["ASPNETCORE_CONTENTROOT"] = AppDirectory;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
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

    /// <summary>The base address once Kestrel reports "Now listening on:".</summary>
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
        if (ListeningPattern().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();
}
