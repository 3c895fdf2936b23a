// What production refuses at start, each refusal naming the variable: a short or placeholder SECRET_KEY,
// ALLOWED_HOSTS of '*', TRUSTED_PROXIES that trust every address, Development inside the compose stack. Development
// itself may do the first three (a developer's machine). In process through the same checks ValidateOnStart runs;
// the console output of the real entry point is checked once per kind at the end.
using Api.Settings;
using Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Api.Tests;

public sealed class UnsafeSettingsTests
{
    [Theory]
    [InlineData("SECRET_KEY", "0123456789abcdef0123456789abcde", "SECRET_KEY: expected a real secret outside Development (at least 32 characters, not a placeholder such as 'change-me...'), got 31 characters")]
    [InlineData("SECRET_KEY", "short", "got 5 characters")]
    [InlineData("SECRET_KEY", "insecure-dev-key-for-local-use-only", "got a placeholder")]
    [InlineData("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS: expected host names outside Development, not '*', got '*'")]
    [InlineData("ALLOWED_HOSTS", "example.test; *", "ALLOWED_HOSTS: expected host names outside Development, not '*'")]
    [InlineData("TRUSTED_PROXIES", "0.0.0.0/0", "TRUSTED_PROXIES: expected the proxies' own networks outside Development, not every address, got '0.0.0.0/0'")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/8;::/0", "got '::/0'")]
    [InlineData("MANAGEMENT_PORT", "0", "MANAGEMENT_PORT: expected an integer 1-65535, got '0'")]
    [InlineData("MANAGEMENT_PORT", "http", "MANAGEMENT_PORT: expected an integer 1-65535, got 'http'")]
    [InlineData("EXPOSE_INSTANCE_DETAILS", "on", "EXPOSE_INSTANCE_DETAILS: expected true or false, got 'on'")]
    [InlineData("ZDD_COMPOSE_STACK", "yes", "ZDD_COMPOSE_STACK: expected true or false, got 'yes'")]
    public void Production_UnsafeValue_RefusedNamingVariable(string variable, string value, string expected)
    {
        // Act
        var failures = StartupFailures("Production", (variable, value));

        // Assert
        Assert.True(failures.Contains(expected, StringComparison.Ordinal), failures);
    }

    [Theory]
    [InlineData("SECRET_KEY", "0123456789abcdef0123456789abcdef")]
    [InlineData("ALLOWED_HOSTS", "api.example.test;*.example.test")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/8;172.16.0.0/12;::1/128")]
    [InlineData("TRUSTED_PROXIES", "0.0.0.0/1")]
    [InlineData("ZDD_COMPOSE_STACK", "true")]
    public void Production_SafeValue_Accepted(string variable, string value)
    {
        // Act
        var failures = StartupFailures("Production", (variable, value));

        // Assert
        Assert.Equal("", failures);
    }

    [Theory]
    [InlineData("SECRET_KEY", "short")]
    [InlineData("ALLOWED_HOSTS", "*")]
    [InlineData("TRUSTED_PROXIES", "0.0.0.0/0;::/0")]
    public void Development_ValueRefusedInProduction_Accepted(string variable, string value)
    {
        // Act
        var failures = StartupFailures("Development", (variable, value));

        // Assert
        Assert.Equal("", failures);
    }

    [Fact]
    public void Development_InComposeStack_RefusedNamingEnvironment()
    {
        // Act
        var failures = StartupFailures("Development", ("ZDD_COMPOSE_STACK", "true"));

        // Assert
        Assert.Contains(
            "ASPNETCORE_ENVIRONMENT: expected Production (any name but Development) in the compose stack " +
            "(ZDD_COMPOSE_STACK=true), got 'Development'", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_ShortSecretKey_NeverEchoesTheValue()
    {
        // Act
        var failures = StartupFailures("Production", ("SECRET_KEY", "hunter2-is-my-password"));

        // Assert
        Assert.Contains("SECRET_KEY", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failures, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS: expected host names outside Development")]
    [InlineData("TRUSTED_PROXIES", "::/0", "TRUSTED_PROXIES: expected the proxies' own networks")]
    [InlineData("SECRET_KEY", "0123456789", "SECRET_KEY: expected a real secret outside Development (at least 32")]
    public async Task Main_ProductionUnsafeValue_ExitsOneBeforeListening(string variable, string value, string expected)
    {
        // Arrange
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SECRET_KEY"] = "tests-0123456789abcdef0123456789abcdef",
            ["DB_HOST"] = "db.invalid",
            ["DB_NAME"] = "notes",
            ["DB_USER"] = "notes",
            [variable] = value,
        };

        // Act
        var (exitCode, stdout, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_DevelopmentWithComposeStackFlag_ExitsOneNamingEnvironment()
    {
        // Arrange: what `ASPNETCORE_ENVIRONMENT=Development` in .env does to a slot of the compose stack.
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ZDD_COMPOSE_STACK"] = "true",
            ["DB_NAME"] = Path.Combine(TempDirectory.Create("unsafe"), "notes.db"),
        };

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("ASPNETCORE_ENVIRONMENT: expected Production", stderr, StringComparison.Ordinal);
    }

    /// <summary>Every start-up failure message of an instance with these settings, one per line ("" if none).</summary>
    internal static string StartupFailures(string environment, params (string Key, string? Value)[] settings)
    {
        var all = environment == "Production"
            ? ApiFactory.Production(settings)
            : settings.ToDictionary(s => s.Key, s => s.Value);
        using var factory = new ApiFactory(environment, all);
        try
        {
            factory.Services.GetRequiredService<IStartupValidator>().Validate();
            return "";
        }
        catch (OptionsValidationException e)
        {
            return string.Join("\n", e.Failures);
        }
        catch (AggregateException e)
        {
            return string.Join("\n", e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures));
        }
    }
}
