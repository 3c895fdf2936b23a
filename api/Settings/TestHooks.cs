// builder.AddTestHooks(): CRASH_ON_START makes the process exit 1 at start; FAIL_READINESS is read by the readiness
// check. Both exist only so that the proof tests can deploy a broken version on purpose.
using Microsoft.Extensions.Options;

namespace Api.Settings;

public static class TestHooks
{
    public static WebApplicationBuilder AddTestHooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<CrashOnStart>();
        return builder;
    }

    private sealed class CrashOnStart(IOptions<TestHooksOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => options.Value.GetCrashOnStart()
            ? throw new StartupFailedException("CRASH_ON_START=true: crashing on purpose (test hook)")
            : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
