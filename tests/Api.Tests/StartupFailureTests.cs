// The real entry point with bad settings: the process must exit non-zero before serving, and stderr must name the
// variable and what was expected, without a stack trace in the way.
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class StartupFailureTests
{
    private static readonly Dictionary<string, string?> ValidProduction = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["SECRET_KEY"] = "tests-0123456789abcdef0123456789abcdef",
        ["DB_HOST"] = "db.invalid",
        ["DB_NAME"] = "notes",
        ["DB_USER"] = "notes",
    };

    [Theory]
    [InlineData("DB_PORT", "abc", "DB_PORT: expected an integer 1-65535, got 'abc'")]
    [InlineData("DB_ENGINE", "mysql", "DB_ENGINE: expected 'sqlite' or 'postgresql', got 'mysql'")]
    [InlineData("DB_HOST", null, "DB_HOST: expected a host name for DB_ENGINE=postgresql, got ''")]
    [InlineData("SLOT", "red", "SLOT: expected 'blue' or 'green', got 'red'")]
    [InlineData("SECRET_KEY", "", "SECRET_KEY: expected a real secret outside Development")]
    [InlineData("SECRET_KEY", "change-me", "SECRET_KEY: expected a real secret outside Development")]
    public async Task Main_ProductionWithBadVariable_ExitsOneWithReadableMessage(
        string variable, string? value, string expected)
    {
        // Arrange
        var environment = new Dictionary<string, string?>(ValidProduction) { [variable] = value };

        // Act
        var (exitCode, stdout, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.StartsWith("Start-up failed:", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_SeveralBadVariables_ReportsAllAtOnce()
    {
        // Arrange
        var environment = new Dictionary<string, string?>(ValidProduction)
        {
            ["SLOT"] = "red", ["DB_PORT"] = "70000", ["SHUTDOWN_TIMEOUT_SECONDS"] = "soon",
        };

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("SLOT: expected", stderr, StringComparison.Ordinal);
        Assert.Contains("DB_PORT: expected an integer 1-65535, got '70000'", stderr, StringComparison.Ordinal);
        Assert.Contains("SHUTDOWN_TIMEOUT_SECONDS: expected an integer 1-3600, got 'soon'", stderr, StringComparison.Ordinal);
    }
}
