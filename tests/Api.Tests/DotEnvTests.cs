// .env handling of the real entry point: the file is read from the working directory or DOTENV_PATH, the real
// environment wins over it, and a malformed line stops start-up naming the file and line (but not its content,
// which may hold a secret).
using System.Net.Http.Json;
using Api.Profile;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class DotEnvTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Main_DotEnvInWorkingDirectory_ItsValuesApply()
    {
        // Arrange
        var directory = TempDirectory.Create("dotenv");
        await File.WriteAllTextAsync(Path.Combine(directory, ".env"), DevFile(directory, "SLOT=green\nAPP_VERSION=7.7.7\n"), Ct);

        // Act
        var profile = await GetProfileAsync(new Dictionary<string, string?>(), directory);

        // Assert
        Assert.Equal("green", profile.Slot);
        Assert.Equal("7.7.7", profile.Version);
    }

    [Fact]
    public async Task Main_VariableInRealEnvironmentAndDotEnv_RealEnvironmentWins()
    {
        // Arrange
        var directory = TempDirectory.Create("dotenv");
        await File.WriteAllTextAsync(Path.Combine(directory, ".env"), DevFile(directory, "SLOT=green\nAPP_VERSION=7.7.7\n"), Ct);

        // Act
        var profile = await GetProfileAsync(new Dictionary<string, string?> { ["SLOT"] = "blue" }, directory);

        // Assert
        Assert.Equal("blue", profile.Slot);
        Assert.Equal("7.7.7", profile.Version);
    }

    [Fact]
    public async Task Main_DotEnvPathSet_ReadsThatFileNotTheWorkingDirectorys()
    {
        // Arrange
        var directory = TempDirectory.Create("dotenv");
        await File.WriteAllTextAsync(Path.Combine(directory, ".env"), DevFile(directory, "SLOT=blue\n"), Ct);
        var other = Path.Combine(TempDirectory.Create("dotenv-other"), "stack.env");
        await File.WriteAllTextAsync(other, DevFile(directory, "SLOT=green\n"), Ct);

        // Act
        var profile = await GetProfileAsync(new Dictionary<string, string?> { ["DOTENV_PATH"] = other }, directory);

        // Assert
        Assert.Equal("green", profile.Slot);
    }

    [Fact]
    public async Task Main_DotEnvPathToMissingFile_FailsNamingDotEnvPath()
    {
        // Arrange
        var missing = Path.Combine(TempDirectory.Root, "no-such.env");

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(
            new Dictionary<string, string?> { ["DOTENV_PATH"] = missing });

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains($"DOTENV_PATH: expected an existing .env file, got '{missing}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_MalformedLine_FailsNamingFileAndLineWithoutItsContent()
    {
        // Arrange
        var directory = TempDirectory.Create("dotenv");
        var path = Path.Combine(directory, ".env");
        await File.WriteAllTextAsync(path, "# settings\nSLOT=green\nDB_PASSWORD hunter2\n", Ct);

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(new Dictionary<string, string?>(), directory);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains($"{path} line 3: malformed; expected KEY=VALUE", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
    }

    // A dev profile whose SQLite file lives in the test's directory.
    private static string DevFile(string directory, string lines) =>
        $"ASPNETCORE_ENVIRONMENT=Development\nDB_NAME={Path.Combine(directory, "notes.db")}\n{lines}";

    private static async Task<ProfileApi.ProfileResponse> GetProfileAsync(
        Dictionary<string, string?> environment, string workingDirectory)
    {
        await using var app = AppProcess.Start(environment, workingDirectory);
        var baseAddress = await app.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = baseAddress };
        var profile = await client.GetFromJsonAsync<ProfileApi.ProfileResponse>("/profile", Ct);
        return profile!;
    }
}
