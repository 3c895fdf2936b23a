// The one swarm and stack shared by every Swarm test (a collection fixture), started by the first test that asks for
// it, not in InitializeAsync: there a skip would be reported as a failure of every test (SharedDockerResource says
// why). Each test calls ReadyAsync(), which skips or fails per test, and resets the stack.
using Docker.Testing;
using Xunit;

namespace Swarm.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SwarmCollection : ICollectionFixture<SwarmFixture>
{
    public const string Name = "local swarm";
}

public sealed class SwarmFixture : IAsyncDisposable
{
    private readonly SharedDockerResource<SwarmStack> _stack = new(SwarmStack.StartAsync, s => s.DisposeAsync());

    /// <summary>Skips (or fails, in CI) without Docker or nested engines; starts the swarm once; resets the stack.</summary>
    public async Task<SwarmStack> ReadyAsync()
    {
        var stack = await _stack.GetAsync();
        await stack.ResetAsync();
        return stack;
    }

    public ValueTask DisposeAsync() => _stack.DisposeAsync();
}
