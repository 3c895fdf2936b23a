// Settings per profile: what Development and Production resolve to, and that the flat variable names of docs/api.md
// override appsettings*.json. In process; the entry point's own failure output is in StartupFailureTests.
using Api.Settings;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Api.Tests;

public sealed class SettingsTests
{
    [Fact]
    public async Task Development_NoVariables_SqliteSlowEndpointAndLocalHostsOnly()
    {
        // Arrange
        await using var factory = new ApiFactory("Development");

        // Act
        var database = factory.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var app = factory.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        var hosts = factory.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value;

        // Assert
        Assert.Equal("sqlite", database.Engine);
        Assert.True(database.MigrateOnStart);
        Assert.True(app.GetEnableSlowEndpoint());
        Assert.Equal("blue", app.Slot);
        Assert.Equal(AppOptionsValidator.DevelopmentSecretKey, app.SecretKey);
        Assert.Equal(new[] { "localhost", "127.0.0.1", "[::1]" }.Order(), hosts.AllowedHosts.Order());
        Assert.DoesNotContain("*", hosts.AllowedHosts);
    }

    [Fact]
    public async Task Production_RequiredVariablesOnly_PostgresNoMigrateNoSlowEndpoint()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production());

        // Act
        var database = factory.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var app = factory.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        var hosts = factory.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value;

        // Assert
        Assert.Equal("postgresql", database.Engine);
        Assert.Equal("db.invalid", database.Host);
        Assert.Equal(5432, new Npgsql.NpgsqlConnectionStringBuilder(database.BuildConnectionString("/")).Port);
        Assert.False(database.MigrateOnStart);
        Assert.False(app.GetEnableSlowEndpoint());
        Assert.DoesNotContain("*", hosts.AllowedHosts);
    }

    [Fact]
    public async Task Production_SettingVariables_OverrideJsonDefaults()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production(
            ("SLOT", "green"), ("APP_VERSION", "2.3.4"), ("DB_PORT", "6543"), ("SHUTDOWN_TIMEOUT_SECONDS", "45"),
            ("ALLOWED_HOSTS", "example.test"), ("TRUSTED_PROXIES", "10.1.0.0/16"), ("ENABLE_SLOW_ENDPOINT", "true")));

        // Act
        var services = factory.Services;
        var app = services.GetRequiredService<IOptions<AppOptions>>().Value;
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var host = services.GetRequiredService<IOptions<HostOptions>>().Value;
        var hosts = services.GetRequiredService<IOptions<HostFilteringOptions>>().Value;
        var forwarded = services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        // Assert
        Assert.Equal("green", app.Slot);
        Assert.Equal("2.3.4", app.GetVersion());
        Assert.Equal("6543", database.Port);
        Assert.Equal(TimeSpan.FromSeconds(45), host.ShutdownTimeout);
        Assert.Contains("example.test", hosts.AllowedHosts);
        Assert.Contains("127.0.0.1", hosts.AllowedHosts);
        Assert.Equal(["10.1.0.0/16"], forwarded.KnownIPNetworks.Select(n => n.ToString()));
        Assert.Empty(forwarded.KnownProxies);
        Assert.True(app.GetEnableSlowEndpoint());
    }

    [Theory]
    [InlineData("Production", "DB_PORT", "abc", "DB_PORT: expected an integer 1-65535, got 'abc'")]
    [InlineData("Production", "DB_ENGINE", "mysql", "DB_ENGINE: expected 'sqlite' or 'postgresql', got 'mysql'")]
    [InlineData("Production", "DB_HOST", "", "DB_HOST: expected a host name for DB_ENGINE=postgresql, got ''")]
    [InlineData("Production", "SLOT", "red", "SLOT: expected 'blue' or 'green', got 'red'")]
    [InlineData("Production", "SECRET_KEY", "", "SECRET_KEY: expected a real secret")]
    [InlineData("Production", "SECRET_KEY", "change-me-please", "SECRET_KEY: expected a real secret")]
    [InlineData("Development", "SHUTDOWN_TIMEOUT_SECONDS", "0", "SHUTDOWN_TIMEOUT_SECONDS: expected an integer 1-3600, got '0'")]
    [InlineData("Development", "MAX_REQUEST_SECONDS", "60", "MAX_REQUEST_SECONDS: expected at most SHUTDOWN_TIMEOUT_SECONDS (30), got '60'")]
    [InlineData("Development", "ENABLE_SLOW_ENDPOINT", "yes", "ENABLE_SLOW_ENDPOINT: expected true or false, got 'yes'")]
    [InlineData("Development", "TRUSTED_PROXIES", "10.0.0.0/8;nginx", "TRUSTED_PROXIES: expected ';'-separated CIDRs such as 10.0.0.0/8, got 'nginx'")]
    [InlineData("Development", "ALLOWED_HOSTS", "", "ALLOWED_HOSTS: expected ';'-separated host names")]
    [InlineData("Development", "APP_VERSION", "1.0 beta", "APP_VERSION: expected 1-64 characters")]
    public async Task Start_BadVariable_FailsNamingVariableAndExpectedValue(
        string environment, string variable, string value, string expected)
    {
        // Arrange
        var settings = environment == "Production" ? ApiFactory.Production((variable, value)) : new() { [variable] = value };
        await using var factory = new ApiFactory(environment, settings);

        // Act: the checks ValidateOnStart runs (the entry point's console output is tested in StartupFailureTests).
        var failure = Record.Exception(() => factory.Services.GetRequiredService<IStartupValidator>().Validate());

        // Assert
        Assert.NotNull(failure);
        Assert.True(StartupFailureText(failure).Contains(expected, StringComparison.Ordinal), StartupFailureText(failure));
    }

    [Fact]
    public async Task Production_SecretKeyPlaceholder_NeverEchoesTheValue()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production(("SECRET_KEY", "changeme-s3cr3t")));

        // Act
        var failure = Record.Exception(() => factory.Services.GetRequiredService<IStartupValidator>().Validate());

        // Assert
        Assert.NotNull(failure);
        Assert.Contains("SECRET_KEY", StartupFailureText(failure), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", StartupFailureText(failure), StringComparison.Ordinal);
    }

    private static string StartupFailureText(Exception failure) =>
        failure switch
        {
            OptionsValidationException e => string.Join("\n", e.Failures),
            AggregateException e => string.Join("\n", e.InnerExceptions.Select(StartupFailureText)),
            _ => failure.ToString(),
        };
}
