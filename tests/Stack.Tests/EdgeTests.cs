// The bad-input suite, the edge's half: what nginx refuses before a slot sees it, on a running stack. Oversize bodies
// (413), headers (431) and request lines (414), malformed requests (400, 501, 505), unknown or odd Host headers (444:
// no answer), /admin in disguise (404), and the limits per client address (429 for the rate and for requests at
// once). nginx's own errors carry ProblemDetails where nginx can give one, and no refused request stores a note.
// Requests an HttpClient would not send go out byte for byte (HardenedStack.RawHttpsAsync).
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

[Collection(HardenedStackCollection.Name)]
public sealed class EdgeTests(HardenedStack fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string LongValue = new('a', 9000);

    private static readonly string BigNote = $"{{\"text\":\"{new string('x', 20_000)}\"}}";

    /// <summary>Name -> (raw request, expected status, ProblemDetails body expected). Status 0: no answer (444).</summary>
    public static readonly IReadOnlyDictionary<string, (string Request, int Status, bool Problem)> RawCases =
        new Dictionary<string, (string, int, bool)>
        {
            ["body over 16 KB"] = (
                "POST /notes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n" +
                $"Content-Length: {BigNote.Length}\r\n\r\n{BigNote}", 413, true),
            ["header field over 8 KB"] = (
                $"GET /profile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: {LongValue}\r\n\r\n", 431, true),
            ["request line over 8 KB"] = (
                $"GET /profile?q={LongValue} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 414, false),
            ["garbled request line"] = ("GARBAGE\r\n\r\n", 400, false),
            ["Content-Length not a number"] = (
                "POST /notes HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n", 400, false),
            ["Content-Length and chunked together"] = (
                "POST /notes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\n" +
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, false),
            ["unknown transfer coding"] = (
                "POST /notes HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n", 501, false),
            ["two Host headers"] = ("GET /profile HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n", 400, false),
            ["empty Host"] = ("GET /profile HTTP/1.1\r\nHost:\r\n\r\n", 400, false),
            ["no Host in HTTP/1.1"] = ("GET /profile HTTP/1.1\r\n\r\n", 400, false),
            ["header name with a space"] = ("GET /profile HTTP/1.1\r\nHost: localhost\r\nX Bad: 1\r\n\r\n", 400, false),
            ["path above the root"] = ("GET /../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n", 400, false),
            ["NUL in the path"] = ("GET /notes/%00 HTTP/1.1\r\nHost: localhost\r\n\r\n", 400, false),
            ["HTTP/2.0 on an HTTP/1 connection"] = ("GET /profile HTTP/2.0\r\nHost: localhost\r\n\r\n", 505, false),
            ["unknown Host"] = ("GET /profile HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n", 0, false),
            ["unknown Host with a port"] = (
                "GET /profile HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n", 0, false),
            ["Host with an underscore"] = ("GET /profile HTTP/1.1\r\nHost: local_host\r\nConnection: close\r\n\r\n", 0, false),
            ["absolute URI naming another host"] = (
                "GET http://evil.example/profile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 0, false),
            ["HTTP/1.0 without Host"] = ("GET /profile HTTP/1.0\r\n\r\n", 0, false),
            ["admin, percent-encoded"] = (
                "GET /%61dmin/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 404, true),
            ["admin, behind dot segments"] = (
                "GET /notes/../admin/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 404, true),
            ["admin, encoded dot segments"] = (
                "GET /notes/%2e%2e/admin/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 404, true),
        };

    public static TheoryData<string> RawCaseNames => [.. RawCases.Keys];

    [Theory(Timeout = 600_000)]
    [MemberData(nameof(RawCaseNames))]
    public async Task RawRequest_RefusedAtTheEdge_ClearStatusAndNothingStored(string name)
    {
        // Arrange
        var (request, status, problem) = RawCases[name];
        var stack = await fixture.StartedAsync();
        var before = await HardenedStack.NoteCountAsync(stack);

        // Act
        var answer = await HardenedStack.RawHttpsAsync(stack, request, Ct);
        var after = await HardenedStack.NoteCountAsync(stack);

        // Assert
        if (status == 0)
        {
            Assert.True(answer.Length == 0, $"expected no answer (444), got: {Head(answer)}");
        }
        else
        {
            Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("\r\nX-Slot:", Head(answer), StringComparison.OrdinalIgnoreCase);
        }

        if (problem)
        {
            Assert.Contains("\r\nContent-Type: application/problem+json", Head(answer), StringComparison.Ordinal);
            Assert.Contains($"\"status\":{status}", answer, StringComparison.Ordinal);
        }

        Assert.Equal(before, after);
    }

    [Fact(Timeout = 600_000)]
    public async Task PostOverHttp2_BodyOver16Kb_ProblemDetails413AndNothingStored()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        await HardenedStack.RefillAsync(Ct);
        using var client = stack.CreateHttpClient(HttpVersion.Version20);
        var before = await HardenedStack.NoteCountAsync(stack);

        // Act
        using var response = await client.PostAsJsonAsync("/notes", new { text = new string('x', 20_000) }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":413", body, StringComparison.Ordinal);
        Assert.Equal(before, await HardenedStack.NoteCountAsync(stack));
    }

    [Fact(Timeout = 600_000)]
    public async Task Writes_FasterThanTheRate_Some429ProblemsAndEveryAcceptedWriteStoredOnce()
    {
        // Arrange: one keep-alive connection, one request after the other: only the rate limit can refuse them.
        var stack = await fixture.StartedAsync();
        await HardenedStack.RefillAsync(Ct);
        using var client = stack.CreateHttpClient();
        var before = await HardenedStack.NoteCountAsync(stack);
        var statuses = new List<HttpStatusCode>();
        string? refusedType = null, refusedBody = null;

        // Act: three bursts' worth as fast as they go.
        for (var i = 0; i < 3 * HardenedStack.Burst; i++)
        {
            using var response = await client.PostAsJsonAsync("/notes", new { text = $"rate-{i}" }, Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusedType = response.Content.Headers.ContentType?.MediaType;
                refusedBody = await response.Content.ReadAsStringAsync(Ct);
            }
        }

        var after = await HardenedStack.NoteCountAsync(stack);

        // Assert: the burst went through, then the rate refused; each 201 is one row, each 429 none.
        var created = statuses.Count(s => s == HttpStatusCode.Created);
        Assert.True(created >= HardenedStack.Burst, string.Join(',', statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.Equal("application/problem+json", refusedType);
        Assert.Contains("\"status\":429", refusedBody, StringComparison.Ordinal);
        Assert.Equal(before + created, after);
    }

    [Fact(Timeout = 600_000)]
    public async Task LongRequests_MoreAtOnceThanTheLimit_ExtraOnesGet429()
    {
        // Arrange: twice LIMIT_CONN slow requests at once, each on its own connection, within the rate's burst.
        var stack = await fixture.StartedAsync();
        await HardenedStack.RefillAsync(Ct);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var clients = Enumerable.Range(0, 2 * HardenedStack.ConcurrentRequests).Select(_ => stack.CreateHttpClient()).ToList();

        // Act
        var statuses = await Task.WhenAll(clients.Select(async client =>
        {
            using var response = await client.GetAsync("/slow?ms=3000", Ct);
            return response.StatusCode;
        }));
        var log = await stack.ComposeAsync("logs", "--no-color", "--since",
            since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), "nginx");
        clients.ForEach(c => c.Dispose());

        // Assert: never more than LIMIT_CONN served at once; the rest refused by limit_conn, as nginx's log says.
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= HardenedStack.ConcurrentRequests, string.Join(',', statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains("limiting connections by zone \"conn_per_address\"", log.StdOut + log.StdErr, StringComparison.Ordinal);
    }

    private static string Head(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? answer : answer[..end];
    }
}
