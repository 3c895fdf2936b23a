// Runs every kind of client at once against nginx until StopAsync, or until a hard cap (duration or request count)
// ends it. Clients never retry: each attempt becomes exactly one RequestSample, whatever happened to it.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Proof.Tests.Load;

public sealed class LoadRun : IAsyncDisposable
{
    private readonly LoadOptions _options;
    private readonly Uri _httpsBase;
    private readonly List<HttpClient> _clients = [];
    private readonly List<Task> _workers = [];
    // Set by StopAsync: clients finish the request they are in and start no other. In-flight requests are not
    // cancelled, since a cancellation would count as a failure the swap did not cause.
    private readonly CancellationTokenSource _stopping = new();
    // The hard cap: stops starting requests at MaxDuration, aborts in-flight ones RequestTimeout later.
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _abort;
    private int _capHit;
    private int _writes;

    private LoadRun(Uri httpsBase, LoadOptions options)
    {
        _httpsBase = httpsBase;
        _options = options;
        _deadline = new CancellationTokenSource(options.MaxDuration);
        _abort = new CancellationTokenSource(options.MaxDuration + options.RequestTimeout + TimeSpan.FromSeconds(5));
        StartedAt = DateTimeOffset.UtcNow;
    }

    public Recorder Recorder { get; } = new();

    public LoadOptions Options => _options;

    public DateTimeOffset StartedAt { get; }

    /// <summary>Why the run ended early, or null if it ran until StopAsync. A capped run proves nothing.</summary>
    public string? CapReason { get; private set; }

    public static LoadRun Start(Uri httpsBase, LoadOptions options)
    {
        var run = new LoadRun(httpsBase, options);
        run.StartClients();
        return run;
    }

    /// <summary>Starts no new request, waits for the in-flight ones, and reports.</summary>
    public async Task<LoadReport> StopAsync()
    {
        var stoppedAt = DateTimeOffset.UtcNow;
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        return new LoadReport(Recorder.Snapshot(), StartedAt, stoppedAt, CapReason);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        await _abort.CancelAsync();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
            // Disposing a run that was never stopped (a failed test): the samples no longer matter.
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stopping.Dispose();
        _deadline.Dispose();
        _abort.Dispose();
    }

    private void StartClients()
    {
        StartKind(ClientKind.KeepAlive, _options.KeepAliveClients, 1,
            (c, i) => GetAsync(c, ClientKind.KeepAlive, i, "/profile"));
        StartKind(ClientKind.Http2, _options.Http2Clients, _options.Http2StreamsPerClient,
            (c, i) => GetAsync(c, ClientKind.Http2, i, "/profile"));
        StartKind(ClientKind.ConnectionClose, _options.ConnectionCloseClients, 1,
            (c, i) => GetAsync(c, ClientKind.ConnectionClose, i, "/profile"));
        StartKind(ClientKind.Writer, _options.Writers, 1,
            (c, i) => PostNoteAsync(c, i, Interlocked.Increment(ref _writes)));
        // Staggered so that long requests start all the time and some are always in flight at a switch.
        var longPath = $"/slow?ms={_options.LongRequestMilliseconds}";
        StartKind(ClientKind.Long, _options.LongClients, 1, (c, i) => GetAsync(c, ClientKind.Long, i, longPath),
            i => TimeSpan.FromMilliseconds(_options.LongRequestMilliseconds * i / Math.Max(1, _options.LongClients)));
    }

    /// <summary>Starts <paramref name="clients"/> clients of one kind, each with its own connection.</summary>
    private void StartKind(
        ClientKind kind,
        int clients,
        int loopsPerClient,
        Func<HttpClient, int, Task<RequestSample>> send,
        Func<int, TimeSpan>? initialDelay = null)
    {
        for (var i = 0; i < clients; i++)
        {
            var client = LoadClients.Create(_httpsBase, kind, _options.RequestTimeout, _options.Http2ConnectionLifetime);
            _clients.Add(client);
            var index = i;
            for (var loop = 0; loop < loopsPerClient; loop++)
            {
                _workers.Add(Loop(kind, index, initialDelay?.Invoke(index) ?? TimeSpan.Zero, () => send(client, index)));
            }
        }
    }

    private Task Loop(ClientKind kind, int index, TimeSpan initialDelay, Func<Task<RequestSample>> send) =>
        Task.Run(async () =>
    {
        var random = new Random(HashCode.Combine(kind, index));
        await PauseAsync(initialDelay);
        while (!_stopping.IsCancellationRequested)
        {
            if (_deadline.IsCancellationRequested)
            {
                Cap($"duration cap of {_options.MaxDuration} reached");
                return;
            }

            var count = Recorder.Add(await send());
            if (count >= _options.MaxRequests)
            {
                Cap($"request cap of {_options.MaxRequests} reached");
                return;
            }

            await PauseAsync(TimeSpan.FromMilliseconds(random.NextDouble() * _options.MaxThinkTime.TotalMilliseconds));
        }
    });

    private void Cap(string reason)
    {
        if (Interlocked.Exchange(ref _capHit, 1) == 0)
        {
            CapReason = reason;
        }
    }

    /// <summary>Waits, but wakes up at once on stop or deadline.</summary>
    private async Task PauseAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, _deadline.Token);
            await Task.Delay(delay, linked.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<RequestSample> GetAsync(HttpClient client, ClientKind kind, int index, string path)
    {
        // A hand-made request ignores the client's DefaultRequestVersion: without these two lines the "HTTP/2"
        // clients would quietly speak HTTP/1.1 (nginx's log caught exactly that).
        using var request = new HttpRequestMessage(HttpMethod.Get, path)
        {
            Version = client.DefaultRequestVersion,
            VersionPolicy = client.DefaultVersionPolicy,
        };
        if (kind == ClientKind.ConnectionClose)
        {
            request.Headers.ConnectionClose = true;
        }

        var (started, watch) = (DateTimeOffset.UtcNow, Stopwatch.StartNew());
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, _abort.Token);
            return new RequestSample(kind, index, started, watch.Elapsed, (int)response.StatusCode, null, SlotOf(response))
            {
                Protocol = response.Version,
                RetryAfter = RetryAfterOf(response),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return new RequestSample(kind, index, started, watch.Elapsed, null, DescribeError(ex), null);
        }
    }

    private async Task<RequestSample> PostNoteAsync(HttpClient client, int index, int sequence)
    {
        // Unique per attempt, so that an unacknowledged write stored twice (a retried POST) is visible in the DB.
        var text = $"{_options.RunId}-w{index}-{sequence}";
        var (started, watch) = (DateTimeOffset.UtcNow, Stopwatch.StartNew());
        try
        {
            using var response = await client.PostAsJsonAsync("/notes", new { text }, _abort.Token);
            long? id = null;
            if ((int)response.StatusCode == 201)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(_abort.Token);
                using var body = await JsonDocument.ParseAsync(stream, cancellationToken: _abort.Token);
                id = body.RootElement.GetProperty("id").GetInt64();
            }
            else
            {
                await response.Content.LoadIntoBufferAsync(_abort.Token);
            }

            return new RequestSample(ClientKind.Writer, index, started, watch.Elapsed, (int)response.StatusCode, null,
                SlotOf(response), text, id)
            {
                Protocol = response.Version,
                RetryAfter = RetryAfterOf(response),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException
            or JsonException)
        {
            return new RequestSample(ClientKind.Writer, index, started, watch.Elapsed, null, DescribeError(ex), null,
                text);
        }
    }

    private static string? SlotOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Slot", out var values) ? values.FirstOrDefault() : null;

    private static string? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;

    /// <summary>"HttpRequestException(ResponseEnded)/IOException/SocketException": type chain down to the cause.</summary>
    public static string DescribeError(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add(e switch
            {
                // The HTTP/2 error code (RST_STREAM or GOAWAY) says which side gave up on the stream and why.
                HttpProtocolException protocol => $"{e.GetType().Name}(0x{protocol.ErrorCode:x})",
                HttpRequestException { HttpRequestError: var error } when error != HttpRequestError.Unknown =>
                    $"{e.GetType().Name}({error})",
                _ => e.GetType().Name,
            });
        }

        return string.Join('/', parts);
    }
}
