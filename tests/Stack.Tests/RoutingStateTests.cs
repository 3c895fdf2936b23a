// The routing state on the nginx-state volume, on the shipped compose stack (docs/stack.md, "Routing state files"):
// maintenance mode (503, Retry-After, HTML or problem+json), the staged candidate reached by opt-in, and the sticky
// canary by percentage. Every change is made the way the deploy scripts make it, by `docker compose exec nginx sh
// /etc/nginx/zdd/zdd-state.sh ...`, and every test checks that nginx was not reloaded (same worker processes).
// One stack for the class; each test starts from "no routing state, blue active".
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

public sealed class RoutingStateTests(RoutingStateTests.StackFixture fixture)
    : IClassFixture<RoutingStateTests.StackFixture>
{
    private const string Helper = "/etc/nginx/zdd/zdd-state.sh";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task Maintenance_OnThenOff_503WithRetryAfterAndBodyPerAcceptThen200()
    {
        // Arrange: a candidate is staged too, to show that maintenance wins over an opt-in and keeps the candidate.
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);
        await ZddStateAsync(stack, "stage", "green");
        const string message = "Back at 18:00 <b>\"UTC\"</b> & \\ done\nsoon";

        // Act
        await ZddStateAsync(stack, "maintenance-on", "120", message);
        using var html = await SendAsync(client, HttpMethod.Get, "/profile", ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
        using var json = await SendAsync(client, HttpMethod.Get, "/profile", ("Accept", "application/json"));
        using var post = await SendAsync(client, HttpMethod.Post, "/notes");
        using var optIn = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));
        using var health = await SendAsync(client, HttpMethod.Get, "/health/ready");
        var gate = await stack.ExecAsync("api-blue", "dotnet", "Api.dll", "probe", "/green/profile", "--host", "nginx", "--port", "8081");
        var htmlBody = await html.Content.ReadAsStringAsync(Ct);
        var problem = JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement;
        await ZddStateAsync(stack, "maintenance-off");
        using var after = await SendAsync(client, HttpMethod.Get, "/profile");
        using var afterOptIn = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, html.StatusCode);
        Assert.Equal("120", Assert.Single(html.Headers.GetValues("Retry-After")));
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Back at 18:00 &lt;b&gt;&quot;UTC&quot;&lt;/b&gt; &amp; \\ done soon", htmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", htmlBody, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(html.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(html.Headers.Contains("X-Slot"), "a maintenance answer reached a slot");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, json.StatusCode);
        Assert.Equal("120", Assert.Single(json.Headers.GetValues("Retry-After")));
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("about:blank", problem.GetProperty("type").GetString());
        Assert.Equal("Service Unavailable", problem.GetProperty("title").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("Back at 18:00 <b>\"UTC\"</b> & \\ done soon", problem.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, optIn.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
        Assert.True(gate.ExitCode == 0, $"the preview server (deploy gate) failed during maintenance: {gate.StdOut}{gate.StdErr}");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("blue", SlotOf(after));
        Assert.Equal("green", SlotOf(afterOptIn));
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
    }

    [Theory(Timeout = 600_000)]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Maintenance_WithoutMessage_DefaultBodiesAndRetryAfterZero(string httpVersion)
    {
        // Arrange
        var stack = await ResetAsync();
        using var client = CreateClient(stack, Version.Parse(httpVersion));

        // Act
        await ZddStateAsync(stack, "maintenance-on", "0");
        using var html = await SendAsync(client, HttpMethod.Get, "/", ("Accept", "text/html"));
        using var json = await SendAsync(client, HttpMethod.Get, "/profile");
        using var head = await SendAsync(client, HttpMethod.Head, "/profile");
        var htmlBody = await html.Content.ReadAsStringAsync(Ct);
        var problem = JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement;

        // Assert: the defaults shipped in nginx/maintenance/.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, html.StatusCode);
        Assert.Equal("0", Assert.Single(html.Headers.GetValues("Retry-After")));
        Assert.Contains("The service is down for maintenance.", htmlBody, StringComparison.Ordinal);
        Assert.Equal("The service is down for maintenance. Please try again later.", problem.GetProperty("detail").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        Assert.Equal("0", Assert.Single(head.Headers.GetValues("Retry-After")));
    }

    [Fact(Timeout = 600_000)]
    public async Task Maintenance_TurnedOnWhileRequestRuns_RequestCompletesWith200()
    {
        // Arrange
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);
        using var slowClient = CreateClient(stack);

        // Act: a request that takes 6 s; maintenance goes on once blue is serving it.
        var slow = slowClient.GetAsync("/slow?ms=6000", Ct);
        await WaitUntilInFlightAsync(stack, "api-blue");
        await ZddStateAsync(stack, "maintenance-on", "30");
        using var during = await SendAsync(client, HttpMethod.Get, "/profile");
        using var slowResponse = await slow;

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(HttpStatusCode.OK, slowResponse.StatusCode);
        Assert.Equal("blue", SlotOf(slowResponse));
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
    }

    [Fact(Timeout = 600_000)]
    public async Task Stage_OptInByHeaderOrCookie_ReachesCandidateOthersActive()
    {
        // Arrange
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);

        // Act
        using var optInWithoutCandidate = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));
        await ZddStateAsync(stack, "stage", "green");
        using var plain = await SendAsync(client, HttpMethod.Get, "/profile");
        using var header = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));
        using var cookie = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", "theme=dark; zdd_preview=1"));
        using var otherValue = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "yes"));
        await ZddStateAsync(stack, "clear-candidate");
        using var optInAfterClear = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));

        // Assert
        Assert.Equal(HttpStatusCode.OK, optInWithoutCandidate.StatusCode);
        Assert.Equal("blue", SlotOf(optInWithoutCandidate));
        Assert.Equal("blue", SlotOf(plain));
        Assert.Equal("green", SlotOf(header));
        Assert.Equal("green", SlotOf(cookie));
        Assert.Equal("blue", SlotOf(otherValue));
        Assert.Equal(HttpStatusCode.OK, optInAfterClear.StatusCode);
        Assert.Equal("blue", SlotOf(optInAfterClear));
        Assert.False(header.Headers.Contains("Set-Cookie"), "an opt-in request got a canary cookie");
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
    }

    [Theory(Timeout = 600_000)]
    [InlineData(10)]
    [InlineData(50)]
    public async Task Canary_PercentOver10000NewClients_ShareWithin2PointsEachWithStickyCookie(int percent)
    {
        // Arrange: the percentages the proof's canary flows use (StagedRolloutTests: 10, then 50).
        const int clients = 10_000;
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);
        await ZddStateAsync(stack, "canary", "green", percent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var round = (await StatusAsync(stack))["round"];
        var slots = new string[clients];
        var cookies = new string[clients];

        // Act: every request without a cookie is a new client.
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct },
            async (i, ct) =>
            {
                using var response = await client.GetAsync("/profile", ct);
                response.EnsureSuccessStatusCode();
                slots[i] = SlotOf(response);
                cookies[i] = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : "";
            });

        // Assert: the binomial standard deviation for n = 10,000 is 0.3 points at p = 0.1 and 0.5 at p = 0.5, so 2
        // points is 4 to 6.7 of them: a fair draw passes, a biased one (a bucket too many or too few is 1 point) fails.
        var share = 100.0 * slots.Count(slot => slot == "green") / clients;
        Assert.InRange(share, percent - 2.0, percent + 2.0);
        Assert.All(slots, slot => Assert.Contains(slot, new[] { "blue", "green" }));
        Assert.All(Enumerable.Range(0, clients), i => Assert.Equal(
            $"zdd_slot={slots[i]}.{round}; Path=/; Secure; HttpOnly; SameSite=Lax", cookies[i]));
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
        TestContext.Current.TestOutputHelper?.WriteLine($"canary {percent}%: {share:F2}% of {clients} new clients on green");
    }

    [Fact(Timeout = 600_000)]
    public async Task Canary_StickyCookieThenAbort_KeepsSlotThenActiveWithExpiredCookie()
    {
        // Arrange: one client drawn to green and one drawn to blue.
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);
        await ZddStateAsync(stack, "canary", "green", "50");
        var green = await DrawCookieAsync(client, "green");
        var blue = await DrawCookieAsync(client, "blue");

        // Act
        var greenSticky = await SlotsAsync(client, green, 20);
        var blueSticky = await SlotsAsync(client, blue, 20);
        await ZddStateAsync(stack, "canary", "green", "10");
        using var greenAfterLowering = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", green));
        await ZddStateAsync(stack, "clear-candidate");
        using var greenAfterAbort = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", green));
        using var blueAfterAbort = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", blue));
        using var noCookieAfterAbort = await SendAsync(client, HttpMethod.Get, "/profile");

        // Assert: sticky while the canary runs (also at another percentage, which only new clients see), then the
        // active slot and the cookie expired from the first request after the abort.
        Assert.All(greenSticky, pair => Assert.Equal(("green", ""), pair));
        Assert.All(blueSticky, pair => Assert.Equal(("blue", ""), pair));
        Assert.Equal("green", SlotOf(greenAfterLowering));
        Assert.Equal("blue", SlotOf(greenAfterAbort));
        Assert.Equal("zdd_slot=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax", SetCookieOf(greenAfterAbort));
        Assert.Equal("blue", SlotOf(blueAfterAbort));
        Assert.Equal("zdd_slot=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax", SetCookieOf(blueAfterAbort));
        Assert.Equal("", SetCookieOf(noCookieAfterAbort));
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
    }

    [Fact(Timeout = 600_000)]
    public async Task Canary_CookieOfEarlierCanary_DrawnAfreshNotPinned()
    {
        // Arrange: a client pinned to green by one canary, which is then aborted; a new canary of green starts.
        var stack = await ResetAsync();
        using var client = CreateClient(stack);
        await ZddStateAsync(stack, "canary", "green", "99");
        var oldCookie = await DrawCookieAsync(client, "green");
        await ZddStateAsync(stack, "clear-candidate");
        await ZddStateAsync(stack, "canary", "green", "1");
        var round = (await StatusAsync(stack))["round"];

        // Act
        using var response = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", oldCookie));

        // Assert: a new round, so the old cookie pins nothing: the client is drawn and gets this round's cookie.
        Assert.DoesNotContain(round, oldCookie, StringComparison.Ordinal);
        Assert.Equal($"zdd_slot={SlotOf(response)}.{round}; Path=/; Secure; HttpOnly; SameSite=Lax", SetCookieOf(response));
    }

    [Fact(Timeout = 600_000)]
    public async Task Canary_Promote_EveryCookieOnNewActiveAndExpired()
    {
        // Arrange
        var stack = await ResetAsync();
        var workers = await NginxWorkerPidsAsync(stack);
        using var client = CreateClient(stack);
        await ZddStateAsync(stack, "canary", "green", "50");
        var green = await DrawCookieAsync(client, "green");
        var blue = await DrawCookieAsync(client, "blue");

        // Act: promote = the swap's marker rename, then clear-candidate (docs/stack.md, "Routing state files").
        (await stack.ExecAsync("nginx", "mv", "/etc/nginx/state/active-slot.blue", "/etc/nginx/state/active-slot.green"))
            .EnsureSuccess("renaming the active-slot marker");
        using var greenBetween = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", green));
        using var blueBetween = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", blue));
        await ZddStateAsync(stack, "clear-candidate");
        using var greenAfter = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", green));
        using var blueAfter = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", blue));

        // Assert: between the two steps everyone is on green already; afterwards the cookies are expired.
        Assert.Equal("green", SlotOf(greenBetween));
        Assert.Equal("green", SlotOf(blueBetween));
        Assert.Equal("green", SlotOf(greenAfter));
        Assert.Equal("green", SlotOf(blueAfter));
        Assert.Equal("zdd_slot=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax", SetCookieOf(greenAfter));
        Assert.Equal("zdd_slot=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax", SetCookieOf(blueAfter));
        Assert.Equal(workers, await NginxWorkerPidsAsync(stack));
    }

    [Fact(Timeout = 600_000)]
    public async Task ZddState_Changes_OneLinkToACompleteGenerationAndOldOnesRemoved()
    {
        // Arrange
        var stack = await ResetAsync();

        // Act
        await ZddStateAsync(stack, "maintenance-on", "45", "Upgrading");
        await ZddStateAsync(stack, "canary", "green", "5");
        var status = await StatusAsync(stack);
        var link = (await stack.ExecAsync("nginx", "readlink", "/etc/nginx/state/routing")).EnsureSuccess("readlink").StdOut.Trim();
        var files = (await stack.ExecAsync("nginx", "sh", "-c", "cd /etc/nginx/state/routing.d && find . -type f | sort"))
            .EnsureSuccess("listing generations").StdOut;
        await ZddStateAsync(stack, "maintenance-off");
        await ZddStateAsync(stack, "clear-candidate");
        var afterOff = await stack.ExecAsync("nginx", "sh", "-c", "ls -A /etc/nginx/state; ls /etc/nginx/state/routing.d | wc -l");

        // Assert
        Assert.Equal("blue", status["active"]);
        Assert.Equal("45", status["maintenance"]);
        Assert.Equal("green", status["candidate"]);
        Assert.Equal("5", status["canary"]);
        var generation = link.Split('/')[1];
        Assert.Equal($"routing.d/{generation}/maintenance=45,candidate=green,canary=5,round={status["round"]}", link);
        var current = files.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith($"./{generation}/", StringComparison.Ordinal));
        Assert.Equal(
            new[] { "canary/00", "canary/01", "canary/02", "canary/03", "canary/04", "maintenance.html", "maintenance.json",
                $"maintenance=45,candidate=green,canary=5,round={status["round"]}" }.Order(StringComparer.Ordinal),
            current.Select(f => f[(generation.Length + 3)..]).Order(StringComparer.Ordinal));
        // Off: no link, no lock, no temporary file; only the last two generations are kept (the "off" one and the one
        // before it, for requests that resolved the link a moment ago).
        Assert.Equal("active-slot.blue\nrouting.d\n2\n", afterOff.StdOut);
    }

    [Theory(Timeout = 600_000)]
    [InlineData(64, "launch")]
    [InlineData(64, "stage")]
    [InlineData(64, "stage", "red")]
    [InlineData(65, "stage", "blue")]
    [InlineData(64, "canary", "green", "0")]
    [InlineData(64, "canary", "green", "100")]
    [InlineData(64, "canary", "green", "07")]
    [InlineData(64, "canary", "green", "")]
    [InlineData(64, "maintenance-on")]
    [InlineData(64, "maintenance-on", "012")]
    [InlineData(64, "maintenance-on", "-1")]
    [InlineData(64, "maintenance-on", "1000000000")]
    [InlineData(64, "maintenance-off", "now")]
    public async Task ZddState_BadArguments_RefusedAndStateUnchanged(int exitCode, params string[] arguments)
    {
        // Arrange
        var stack = await ResetAsync();
        using var client = CreateClient(stack);

        // Act
        var result = await stack.ExecAsync("nginx", ["sh", Helper, .. arguments]);
        var link = await stack.ExecAsync("nginx", "test", "-e", "/etc/nginx/state/routing");
        using var response = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));

        // Assert
        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith("zdd-state.sh: ", result.StdErr, StringComparison.Ordinal);
        Assert.NotEqual(0, link.ExitCode);
        Assert.Equal("blue", SlotOf(response));
    }

    [Fact(Timeout = 600_000)]
    public async Task ZddState_LockHeld_Refused75AndNothingChanged()
    {
        // Arrange
        var stack = await ResetAsync();
        (await stack.ExecAsync("nginx", "mkdir", "/etc/nginx/state/.zdd-state.lock")).EnsureSuccess("taking the lock");

        // Act
        var result = await stack.ExecAsync("nginx", "sh", Helper, "stage", "green");
        var status = await StatusAsync(stack);
        (await stack.ExecAsync("nginx", "rmdir", "/etc/nginx/state/.zdd-state.lock")).EnsureSuccess("releasing the lock");

        // Assert
        Assert.Equal(75, result.ExitCode);
        Assert.Contains(".zdd-state.lock exists", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", status["candidate"]);
    }

    [Fact(Timeout = 600_000)]
    public async Task Routing_LinkNotWrittenByHelper_NginxIgnoresItAndHelperRefuses()
    {
        // Arrange: a hand-made state nginx cannot parse.
        var stack = await ResetAsync();
        using var client = CreateClient(stack);
        (await stack.ExecAsync("nginx", "sh", "-c",
            "mkdir -p /etc/nginx/state/routing.d/manual && : > '/etc/nginx/state/routing.d/manual/candidate=purple' && " +
            "ln -s 'routing.d/manual/candidate=purple' /etc/nginx/state/routing")).EnsureSuccess("writing a hand-made state");

        // Act
        using var response = await SendAsync(client, HttpMethod.Get, "/profile", ("X-ZDD-Preview", "1"));
        var helper = await stack.ExecAsync("nginx", "sh", Helper, "stage", "green");
        (await stack.ExecAsync("nginx", "rm", "-rf", "/etc/nginx/state/routing", "/etc/nginx/state/routing.d")).EnsureSuccess("cleaning up");

        // Assert: nginx serves the active slot; the helper does not build on a state it did not write.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("blue", SlotOf(response));
        Assert.Equal(65, helper.ExitCode);
        Assert.Contains("unknown state", helper.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 600_000)]
    public async Task Entrypoint_StateOnAndStaleLock_LogsStateRemovesLockKeepsState()
    {
        // Arrange: a staged candidate, and the lock of a zdd-state.sh run killed with an earlier container.
        var stack = await ResetAsync();
        await ZddStateAsync(stack, "stage", "green");
        (await stack.ExecAsync("nginx", "mkdir", "/etc/nginx/state/.zdd-state.lock")).EnsureSuccess("taking the lock");

        // Act: the entrypoint as at a container start, with `true` instead of nginx.
        var entrypoint = await stack.ExecAsync("nginx", "sh", "/etc/nginx/zdd/docker-entrypoint.sh", "true");
        var lockLeft = await stack.ExecAsync("nginx", "test", "-e", "/etc/nginx/state/.zdd-state.lock");
        var status = await StatusAsync(stack);

        // Assert
        Assert.Equal(0, entrypoint.ExitCode);
        Assert.Matches(@"routing state on: /etc/nginx/state/routing -> routing\.d/[^/]+/candidate=green\n", entrypoint.StdErr);
        Assert.NotEqual(0, lockLeft.ExitCode);
        Assert.Equal("green", status["candidate"]);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /// <summary>The class's stack with no routing state and blue active, whatever an earlier test left.</summary>
    private async Task<ComposeStack> ResetAsync()
    {
        var stack = await fixture.StartedAsync();
        (await stack.ExecAsync("nginx", "sh", "-c",
            "cd /etc/nginx/state && if [ -e active-slot.green ]; then mv active-slot.green active-slot.blue; fi && " +
            $"sh {Helper} maintenance-off 2>/dev/null && sh {Helper} clear-candidate 2>/dev/null"))
            .EnsureSuccess("resetting the routing state");
        return stack;
    }

    private static async Task ZddStateAsync(ComposeStack stack, params string[] arguments) =>
        (await stack.ExecAsync("nginx", ["sh", Helper, .. arguments])).EnsureSuccess($"zdd-state.sh {string.Join(' ', arguments)}");

    private static async Task<Dictionary<string, string>> StatusAsync(ComposeStack stack)
    {
        var output = (await stack.ExecAsync("nginx", "sh", Helper, "status")).EnsureSuccess("zdd-state.sh status").StdOut;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
    }

    /// <summary>
    /// A client for the public server that sends only the cookies a test gives it (no cookie container), trusts the
    /// stack's self-signed certificate and sends <c>Host: localhost</c>.
    /// </summary>
    private static HttpClient CreateClient(ComposeStack stack, Version? httpVersion = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = stack.HttpsBase,
            DefaultRequestVersion = httpVersion ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Host = "localhost";
        return client;
    }

    private static Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("{\"text\":\"during maintenance\"}", MediaTypeHeaderValue.Parse("application/json"));
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request, Ct);
    }

    private static string SlotOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Slot", out var values) ? values.Single() : $"(none: {(int)response.StatusCode})";

    private static string SetCookieOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : "";

    /// <summary>Draws new clients until one lands on <paramref name="slot"/>; returns its cookie as a Cookie header.</summary>
    private static async Task<string> DrawCookieAsync(HttpClient client, string slot)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/profile");
            if (SlotOf(response) == slot)
            {
                return SetCookieOf(response).Split(';')[0];
            }
        }

        throw new InvalidOperationException($"200 new clients and none drawn to {slot}");
    }

    private static async Task<List<(string Slot, string SetCookie)>> SlotsAsync(HttpClient client, string cookie, int count)
    {
        var result = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/profile", ("Cookie", cookie));
            result.Add((SlotOf(response), SetCookieOf(response)));
        }

        return result;
    }

    /// <summary>Waits until the slot reports a request in flight (its /admin/status, asked inside its container).</summary>
    private static async Task WaitUntilInFlightAsync(ComposeStack stack, string service)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var status = await stack.ExecAsync(service, "dotnet", "Api.dll", "probe", "/admin/status");
            if (status.ExitCode == 0 && JsonDocument.Parse(status.StdOut).RootElement.GetProperty("inFlight").GetInt32() > 0)
            {
                return;
            }
        }

        throw new InvalidOperationException($"{service} never reported a request in flight");
    }

    /// <summary>nginx's worker processes: a reload would replace them (and old ones would say "shutting down").</summary>
    private static async Task<IReadOnlySet<int>> NginxWorkerPidsAsync(ComposeStack stack)
    {
        // No ps in nginx images: /proc/<pid>/cmdline shows nginx's process titles.
        const string script = """
            for p in /proc/[0-9]*; do
              case "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" in
                *"is shutting down"*) ;;
                *"worker process"*) echo "${p#/proc/}";;
              esac
            done
            """;
        var output = (await stack.ExecAsync("nginx", "sh", "-c", script)).EnsureSuccess("listing nginx workers").StdOut;
        var pids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse)
            .ToHashSet();
        Assert.NotEmpty(pids);
        return pids;
    }

    /// <summary>One compose stack for the class, started by the first test (after DockerRequirement).</summary>
    public sealed class StackFixture : IAsyncLifetime
    {
        private readonly SharedDockerResource<ComposeStack> stack = new(
            () => ComposeStack.StartAsync(new ComposeStackOptions { NamePrefix = "zdd-routing" }),
            started => started.DisposeAsync());

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public Task<ComposeStack> StartedAsync() => stack.GetAsync();

        public ValueTask DisposeAsync() => stack.DisposeAsync();
    }
}
