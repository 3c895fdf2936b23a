// Tests of the load harness alone, against an in-process server (no Docker): a harness that cannot see failures
// would make the proof worthless, so these show that it counts successes and failures per kind, exactly.
using System.Net;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests.Harness;

public sealed class LoadRunTests
{
    private static readonly LoadOptions SmallLoad = new()
    {
        KeepAliveClients = 8,
        Http2Clients = 1,
        Http2StreamsPerClient = 2,
        ConnectionCloseClients = 2,
        Writers = 2,
        LongClients = 2,
        LongRequestMilliseconds = 300,
        MaxDuration = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task StopAsync_HealthyServer_EveryKindSucceedsWithoutFailures()
    {
        // Arrange
        await using var server = await LoopbackServer.StartAsync();

        // Act
        await using var run = LoadRun.Start(server.HttpsBase, SmallLoad);
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var report = await run.StopAsync();

        // Assert
        Assert.Null(report.CapReason);
        Assert.All(report.PerKind, f =>
        {
            Assert.True(f.Requests > 0, $"{f.Kind} sent nothing");
            Assert.Equal(f.Requests, f.Succeeded);
            Assert.Equal(f.Requests, f.Slots.GetValueOrDefault("blue"));
            Assert.Equal(f.Requests, f.Protocols.GetValueOrDefault(f.Kind == ClientKind.Http2 ? "HTTP/2.0" : "HTTP/1.1"));
        });
        var writes = report.Samples.Where(s => s.Kind == ClientKind.Writer).ToList();
        Assert.All(writes, w => Assert.NotNull(w.WriteId));
        Assert.Equal(writes.Count, writes.Select(w => w.WriteText).Distinct().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopAsync_ServerFailsSomeRequests_FailuresAreCountedNotRetried(bool byAbort)
    {
        // Arrange
        await using var server = await LoopbackServer.StartAsync();
        server.FailEvery = 10;
        server.FailByAbort = byAbort;

        // Act
        await using var run = LoadRun.Start(server.HttpsBase, SmallLoad with { LongClients = 0 });
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var report = await run.StopAsync();

        // Assert
        var failures = report.Failures.ToList();
        Assert.NotEmpty(failures);
        if (byAbort)
        {
            Assert.All(failures, f => Assert.NotNull(f.Error));
        }
        else
        {
            Assert.All(failures, f => Assert.Equal((int)HttpStatusCode.BadGateway, f.Status));
        }

        // Roughly one in ten: the client retried nothing (a retry would hide the failure and lower the share).
        var share = (double)failures.Count / report.Samples.Count;
        Assert.InRange(share, 0.05, 0.2);
    }

    [Fact]
    public async Task Start_DurationCapReached_RunEndsAndSaysWhy()
    {
        // Arrange
        await using var server = await LoopbackServer.StartAsync();

        // Act
        await using var run = LoadRun.Start(server.HttpsBase, SmallLoad with { MaxDuration = TimeSpan.FromMilliseconds(500) });
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var report = await run.StopAsync();

        // Assert
        Assert.NotNull(report.CapReason);
        Assert.True(report.Samples.All(s => s.StartedAt < run.StartedAt + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void ToClientBase_NonLoopbackTarget_Refuses()
    {
        // Act + Assert
        Assert.Throws<ArgumentException>(() => LoadClients.ToClientBase(new Uri("https://192.0.2.1:443/")));
        Assert.Equal(new Uri("https://localhost:8443/"), LoadClients.ToClientBase(new Uri("https://127.0.0.1:8443/")));
    }
}
