// The compose file's own refusals, before any container exists: each required secret missing or empty stops
// `docker compose` with a message that names it and points at .env.sample. No Docker engine is needed for this
// (compose only reads files), but the docker CLI is, so it skips or fails like the other Docker tests.
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

public sealed class ComposeConfigTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["DB_PASSWORD"] = "app-password-0123456789",
        ["DB_MIGRATE_PASSWORD"] = "owner-password-0123456789",
        ["DB_ADMIN_PASSWORD"] = "admin-password-0123456789",
        ["SECRET_KEY"] = "0123456789abcdef0123456789abcdef",
    };

    [Theory(Timeout = 120_000)]
    [InlineData("DB_PASSWORD")]
    [InlineData("DB_MIGRATE_PASSWORD")]
    [InlineData("DB_ADMIN_PASSWORD")]
    [InlineData("SECRET_KEY")]
    public async Task ComposeConfig_RequiredSecretEmpty_RefusesNamingIt(string secret)
    {
        // Arrange: an env file with every secret but one, which is also blanked in the process environment.
        await DockerRequirement.EnsureAvailableAsync();
        var directory = Directory.CreateTempSubdirectory("zdd-compose-config-").FullName;
        var envFile = Path.Combine(directory, "stack.env");
        var values = new Dictionary<string, string>(Secrets) { [secret] = "", ["ENV_FILE"] = envFile };
        await File.WriteAllLinesAsync(envFile, values.Select(v => $"{v.Key}='{v.Value}'"), TestContext.Current.CancellationToken);

        try
        {
            // Act
            var result = await ProcessRunner.RunAsync("docker",
                ["compose", "--project-name", "zdd-config-check", "--file", RepoPaths.ComposeFile, "--env-file", envFile,
                    "config", "--quiet"],
                values, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            // Assert
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"set {secret} in .env (see .env.sample)", result.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ComposeConfig_EverySecretSet_Valid()
    {
        // Arrange: the control case, so that the refusals above are about the one missing secret.
        await DockerRequirement.EnsureAvailableAsync();
        var directory = Directory.CreateTempSubdirectory("zdd-compose-config-").FullName;
        var envFile = Path.Combine(directory, "stack.env");
        var values = new Dictionary<string, string>(Secrets) { ["ENV_FILE"] = envFile };
        await File.WriteAllLinesAsync(envFile, values.Select(v => $"{v.Key}='{v.Value}'"), TestContext.Current.CancellationToken);

        try
        {
            // Act
            var result = await ProcessRunner.RunAsync("docker",
                ["compose", "--project-name", "zdd-config-check", "--file", RepoPaths.ComposeFile, "--env-file", envFile,
                    "config", "--quiet"],
                values, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            // Assert
            Assert.True(result.ExitCode == 0, result.StdErr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
