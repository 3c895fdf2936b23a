// A Docker resource shared by the tests of a class (a compose stack, containers), started by the first test that
// asks for it. Why not start it in a class fixture's InitializeAsync: xunit v3 reports an exception there, including
// DockerRequirement's dynamic skip, as a failure of every test, so a machine without Docker would fail instead of
// skipping. Each test calls GetAsync(); the skip (or, with ZDD_REQUIRE_DOCKER=true, the failure) happens per test.
namespace Docker.Testing;

public sealed class SharedDockerResource<T> : IAsyncDisposable
    where T : class
{
    private readonly Func<Task<T>> start;
    private readonly Func<T, ValueTask> dispose;
    private readonly Lock gate = new();
    private Task<T>? started;

    /// <param name="start">Creates the resource; called at most once.</param>
    /// <param name="dispose">Removes it; called by DisposeAsync when the start succeeded.</param>
    public SharedDockerResource(Func<Task<T>> start, Func<T, ValueTask> dispose)
    {
        this.start = start;
        this.dispose = dispose;
    }

    /// <summary>
    /// Skips (or fails, in CI) the calling test when no Docker engine answers; otherwise returns the resource,
    /// starting it on the first call. A failed start is not retried: every test that asks reports the same error.
    /// </summary>
    public async Task<T> GetAsync()
    {
        await DockerRequirement.EnsureAvailableAsync().ConfigureAwait(false);
        lock (gate)
        {
            started ??= start();
        }

        return await started.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task<T>? task;
        lock (gate)
        {
            task = started;
        }

        if (task is { IsCompletedSuccessfully: true })
        {
            await dispose(task.Result).ConfigureAwait(false);
        }
    }
}
