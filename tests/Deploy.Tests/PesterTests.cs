// Runs the Pester tests of the deploy scripts from xunit, so that `dotnet test` and CI cover them: those beside the
// entry scripts (deploy-scripts/*.Tests.ps1) and those beside the module (deploy-scripts/ZeroDowntime/Tests/). They
// need no containers: slot choice, step order, the runner's undo on failure and on Ctrl+C, the lock, the timeout
// order, the active-slot marker, the module's layout and the parser-based script checks (ScriptQuality.Tests.ps1).
using System.Text.Json;
using Xunit;

namespace Deploy.Tests;

public sealed class PesterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task InvokePester_DeployScripts_RunsTestsAndNoneFails()
    {
        // Arrange
        Assert.True(File.Exists(Pwsh.PesterModule), $"Pester is not restored at {Pwsh.PesterModule} (dotnet restore).");
        var runner = Path.Combine(Docker.Testing.RepoPaths.Root, "tests", "Deploy.Tests", "Invoke-DeployPester.ps1");

        // Act
        var result = await Pwsh.RunFileAsync(
            runner, ["-PesterModule", Pwsh.PesterModule, "-TestPath", Pwsh.ScriptsDirectory],
            timeout: TimeSpan.FromMinutes(10));

        // Assert
        output.WriteLine(result.StdOut);
        output.WriteLine(result.StdErr);
        var line = result.StdOut.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("PESTER-SUMMARY "));
        Assert.True(line is not null, $"No summary from Pester (exit {result.ExitCode}):\n{result.StdErr}");
        using var summary = JsonDocument.Parse(line["PESTER-SUMMARY ".Length..]);
        var root = summary.RootElement;
        var failures = string.Join('\n', root.GetProperty("Failures").EnumerateArray().Select(f => f.GetString()));
        Assert.True(root.GetProperty("Failed").GetInt32() == 0, $"Pester tests failed:\n{failures}");
        Assert.Equal(0, root.GetProperty("FailedBlocks").GetInt32());
        // A run that discovered nothing would pass quietly: require the tests to be there, every test file on disk.
        Assert.True(root.GetProperty("Passed").GetInt32() >= 100, $"Only {root.GetProperty("Passed")} Pester tests passed.");
        var ran = root.GetProperty("Files").EnumerateArray().Select(f => Path.GetFullPath(f.GetString()!)).ToHashSet();
        var onDisk = Directory.EnumerateFiles(Pwsh.ScriptsDirectory, "*.Tests.ps1", SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .ToList();
        var moduleTests = Path.Combine(Pwsh.ScriptsDirectory, "ZeroDowntime", "Tests");
        Assert.Contains(onDisk, file => file.StartsWith(moduleTests, StringComparison.Ordinal));
        Assert.All(onDisk, file => Assert.Contains(file, ran));
        Assert.Equal(0, result.ExitCode);
    }
}
