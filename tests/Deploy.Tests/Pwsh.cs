// Runs PowerShell 7 from the repository's tool manifest (`dotnet pwsh`, dotnet-tools.json) for the tests of this
// project: the Pester run and the real deploy scripts. `dotnet tool restore` runs once per process first, so that a
// fresh clone needs no manual step (it is a no-op when the tool is already there).
using System.Reflection;
using Docker.Testing;

namespace Deploy.Tests;

internal static class Pwsh
{
    private static readonly Lazy<Task> Restore = new(RestoreAsync);

    /// <summary>The deploy-scripts folder of the repository (the scripts under test, used in place).</summary>
    public static string ScriptsDirectory => Path.Combine(RepoPaths.Root, "deploy-scripts");

    /// <summary>Pester.psd1 in the NuGet global packages folder (the PackageDownload in Deploy.Tests.csproj).</summary>
    public static string PesterModule =>
        typeof(Pwsh).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "PesterModule").Value!;

    /// <summary>Runs <c>dotnet pwsh -NoLogo -NoProfile -NonInteractive -File script args</c> in the repository root.</summary>
    public static async Task<ProcessResult> RunFileAsync(
        string script,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null)
    {
        await Restore.Value.ConfigureAwait(false);
        string[] full = ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, .. args];
        return await ProcessRunner.RunAsync("dotnet", full, env, timeout).ConfigureAwait(false);
    }

    /// <summary>The directory of pwsh.dll (PowerShell's $PSHOME), to start PowerShell as a process of its own.</summary>
    public static async Task<string> HomeAsync()
    {
        await Restore.Value.ConfigureAwait(false);
        var result = await ProcessRunner.RunAsync(
            "dotnet", ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "$PSHOME"]).ConfigureAwait(false);
        return result.EnsureSuccess("dotnet pwsh -Command $PSHOME").StdOut.Trim();
    }

    private static async Task RestoreAsync()
    {
        var result = await ProcessRunner.RunAsync("dotnet", ["tool", "restore"], timeout: TimeSpan.FromMinutes(5))
            .ConfigureAwait(false);
        result.EnsureSuccess("dotnet tool restore");
    }
}
