// Settings of the running instance: which slot it is, its version, its secret and its shutdown bounds.
// Values arrive as text (from the environment or .env) and are validated by AppOptionsValidator, which names the
// environment variable in each message; the Get* methods give typed values once validation has passed.
using System.Reflection;

namespace Api.Settings;

public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>SECRET_KEY. Outside Development: at least 32 characters, not a placeholder.</summary>
    /// <remarks>Kept for parity with Django's SECRET_KEY only: nothing signs or encrypts with it (no sessions, no
    /// cookies, no tokens; the admin endpoints are protected by the management port, not by a key). It is validated
    /// so that a deployment already carries a real one when something does (docs/security.md).</remarks>
    public string SecretKey { get; set; } = "";

    /// <summary>SLOT: blue or green.</summary>
    public string Slot { get; set; } = "blue";

    /// <summary>APP_VERSION; empty means the assembly's informational version.</summary>
    public string? Version { get; set; }

    /// <summary>SHUTDOWN_TIMEOUT_SECONDS: how long in-flight requests may run on after SIGTERM.</summary>
    public string ShutdownTimeoutSeconds { get; set; } = "30";

    /// <summary>MAX_REQUEST_SECONDS: the longest request the app allows (bounds /slow).</summary>
    public string MaxRequestSeconds { get; set; } = "10";

    /// <summary>ENABLE_SLOW_ENDPOINT: maps GET /slow.</summary>
    public string EnableSlowEndpoint { get; set; } = "false";

    /// <summary>MANAGEMENT_PORT: the loopback-only port of /admin (Management/ManagementPort.cs).</summary>
    public string ManagementPort { get; set; } = "9090";

    /// <summary>
    /// EXPOSE_INSTANCE_DETAILS: /profile names the host (container id) and versions keep their build metadata
    /// (the commit after '+'). Off by default, on in Development.
    /// </summary>
    public string ExposeInstanceDetails { get; set; } = "false";

    public TimeSpan GetShutdownTimeout() => TimeSpan.FromSeconds(Expect.Integer(ShutdownTimeoutSeconds));

    public TimeSpan GetMaxRequest() => TimeSpan.FromSeconds(Expect.Integer(MaxRequestSeconds));

    public bool GetEnableSlowEndpoint() => Expect.Flag(EnableSlowEndpoint);

    public int GetManagementPort() => Expect.Integer(ManagementPort);

    public bool GetExposeInstanceDetails() => Expect.Flag(ExposeInstanceDetails);

    public string GetVersion() =>
        string.IsNullOrWhiteSpace(Version)
            ? typeof(AppOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                ?.InformationalVersion ?? "0.0.0"
            : Version;
}
