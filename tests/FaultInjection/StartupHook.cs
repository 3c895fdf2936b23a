// The entry point of the test-only faults: a .NET startup hook, run before the API's Main when the process has
// DOTNET_STARTUP_HOOKS=/faults/FaultInjection.dll. ZDD_FAULT picks the fault:
//   never-ready     GET /health/ready always answers 503; liveness and every other endpoint work (NeverReady.cs).
//   crash-on-start  the server exits 1 at start with a one-line message.
// The verbs of `dotnet Api.dll` (migrate, probe, tls-cert) run unharmed under either fault: the deploy scripts run
// migrations with the new image, and Docker's HEALTHCHECK runs `dotnet Api.dll probe`.
// Used by Docker.Testing.FaultyApiImage (the fault matrix of tests/Deploy.Tests and tests/Proof.Tests) and tested by
// tests/Api.Tests/FaultInjectionTests.cs.
using System.Runtime.Loader;

internal static class StartupHook
{
    public const string Variable = "ZDD_FAULT";
    public const string NeverReady = "never-ready";
    public const string CrashOnStart = "crash-on-start";

    private const string HostingStartupVariable = "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES";

    public static void Initialize()
    {
        var fault = Environment.GetEnvironmentVariable(Variable);
        switch (fault)
        {
            case null or "":
                return;
            case NeverReady:
                LoadHostingStartup();
                return;
            case CrashOnStart:
                if (IsServer(Environment.GetCommandLineArgs()))
                {
                    // Before Main, with no host yet: the exit code is ours (a host's console lifetime would rewrite
                    // it), and the message is the last log line, where the deploy script's log tail shows it.
                    Console.Error.WriteLine(
                        $"{Variable}={CrashOnStart}: this build crashes at start on purpose (tests/FaultInjection)");
                    Environment.Exit(1);
                }

                return;
            default:
                // A typo in a test must not deploy a healthy build that passes for a broken one.
                Console.Error.WriteLine($"{Variable}: unknown fault '{fault}'; expected {NeverReady} or {CrashOnStart}");
                Environment.Exit(2);
                return;
        }
    }

    /// <summary>
    /// `dotnet Api.dll` with no verb serves; a verb is a first argument that is not an option (api/Cli/CommandLine.cs).
    /// </summary>
    internal static bool IsServer(string[] commandLine) =>
        commandLine.Length < 2 || commandLine[1].StartsWith('-');

    /// <summary>
    /// Makes the web host run <see cref="FaultInjection.NeverReadyStartup"/>. The host loads hosting startups by
    /// assembly name, and this one is not in Api.deps.json, so the name is resolved to this very assembly (already
    /// loaded, as the startup hook).
    /// </summary>
    private static void LoadHostingStartup()
    {
        var self = typeof(StartupHook).Assembly;
        var name = self.GetName().Name!;
        AssemblyLoadContext.Default.Resolving += (_, requested) => requested.Name == name ? self : null;
        var existing = Environment.GetEnvironmentVariable(HostingStartupVariable);
        Environment.SetEnvironmentVariable(
            HostingStartupVariable, string.IsNullOrEmpty(existing) ? name : $"{existing};{name}");
    }
}
