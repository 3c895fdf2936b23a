// Tests of the run's checks alone (no Docker): the access-log reader and the database comparison must be able to
// report a failure, or the zeros they report under load mean nothing.
using Proof.Tests.Checks;
using Proof.Tests.Infrastructure;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests.Harness;

public sealed class ChecksTests
{
    [Fact]
    public void Parse_MixedLogLines_CountsStatusesProtocolsAndFailures()
    {
        // Arrange: nginx's JSON lines (status as a number, as logging.conf writes it, or as a string), an error-log
        // line on the same stream, and a truncated line.
        const string raw = """
            {"status":200,"request":"GET /profile HTTP/1.1","server_protocol":"HTTP/1.1","upstream_addr":"172.18.0.5:8080"}
            {"status":"502","request":"POST /notes HTTP/2.0","server_protocol":"HTTP/2.0","upstream_addr":"172.18.0.6:8080"}
            2026/11/25 04:00:00 [warn] 30#30: *1 upstream server temporarily disabled
            {"status":499,"request":"GET /slow?ms=3000 HTTP/1.1","server_protocol":"HTTP/1.1"}
            {"status":200,"request":"GET /prof
            """;

        // Act
        var log = NginxAccessLog.Parse(raw);

        // Assert
        Assert.Equal(3, log.Entries.Count);
        Assert.Equal(1, log.UnparsedLines);
        Assert.Equal([499, 502], log.Failures.Select(e => e.Status).Order());
        Assert.Equal(1, log.CountByProtocol["HTTP/2.0"]);
        Assert.Equal(2, log.CountByProtocol["HTTP/1.1"]);
    }

    [Fact]
    public void Compare_WritesLostDoubledOrRenumbered_EachIsReported()
    {
        // Arrange: four acknowledged writes and two unacknowledged ones.
        var samples = new[]
        {
            Write("run-w0-1", 1), Write("run-w0-2", 2), Write("run-w0-3", 3), Write("run-w0-4", 4),
            Write("run-w1-1", null), Write("run-w1-2", null),
        };
        var stored = new Dictionary<string, (int Count, long MinId)>
        {
            ["run-w0-1"] = (1, 1),   // exact
            ["run-w0-2"] = (2, 2),   // stored twice (a retried POST)
            ["run-w0-3"] = (1, 99),  // another row than the client was told
            // run-w0-4 lost
            ["run-w1-1"] = (1, 5),   // unacknowledged but stored: allowed, counted
            ["run-w1-2"] = (2, 6),   // unacknowledged and stored twice
        };

        // Act
        var check = NotesInDatabase.Compare(samples, stored);

        // Assert
        Assert.False(check.IsExact);
        Assert.Equal(4, check.Acknowledged);
        Assert.Equal(2, check.Unacknowledged);
        Assert.Equal(2, check.UnacknowledgedStored);
        Assert.Equal(["run-w0-4"], check.AcknowledgedMissing);
        Assert.Equal(["run-w0-3"], check.AcknowledgedWithWrongId);
        Assert.Equal(["run-w0-2 x2", "run-w1-2 x2"], check.StoredMoreThanOnce.Order());
    }

    [Fact]
    public void Compare_EveryAcknowledgedWriteOnce_IsExact()
    {
        // Arrange
        var samples = new[] { Write("run-w0-1", 1), Write("run-w0-2", null) };
        var stored = new Dictionary<string, (int Count, long MinId)> { ["run-w0-1"] = (1, 1) };

        // Act
        var check = NotesInDatabase.Compare(samples, stored);

        // Assert
        Assert.True(check.IsExact, check.Describe());
    }

    private static RequestSample Write(string text, long? id) => new(
        ClientKind.Writer, 0, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(5), id is null ? 502 : 201, null,
        "blue", text, id);

    [Fact]
    public void Parse_WorkerPidsAndConnectionRequests_AreRead()
    {
        // Arrange: two workers; one HTTP/2 connection at its 999th request.
        var raw = string.Join('\n',
            """{"pid":41,"connection_requests":3,"server_protocol":"HTTP/1.1","status":200,"request":"GET /profile HTTP/1.1"}""",
            """{"pid":42,"connection_requests":999,"server_protocol":"HTTP/2.0","status":200,"request":"GET /profile HTTP/2.0"}""",
            """{"pid":42,"connection_requests":7,"server_protocol":"HTTP/2.0","status":200,"request":"GET /profile HTTP/2.0"}""");

        // Act
        var log = NginxAccessLog.Parse(raw);

        // Assert
        Assert.Equal(new HashSet<int> { 41, 42 }, log.Pids);
        Assert.Equal(999, log.MaxConnectionRequests("HTTP/2.0"));
        Assert.Equal(3, log.MaxConnectionRequests("HTTP/1.1"));
    }

    [Theory]
    [InlineData(999, true)]
    [InlineData(1000, false)]
    public void AssertBelowNginxRequestLimit_ConnectionAtTheLimit_Fails(int requests, bool passes)
    {
        // Arrange
        var log = NginxAccessLog.Parse(
            $$"""{"pid":1,"connection_requests":{{requests}},"server_protocol":"HTTP/2.0","status":200,"request":"GET / HTTP/2.0"}""");

        // Act
        var failure = Record.Exception(() => UnderLoad.AssertBelowNginxRequestLimit(log));

        // Assert
        Assert.Equal(passes, failure is null);
    }
}
