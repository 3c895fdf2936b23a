// The bad-input suite, the API's half: every kind of malformed request, setting and .env value gets a clear error
// (a status with a ProblemDetails body, or a start-up message naming the variable), and nothing is lost: after each
// bad request the notes table holds exactly what it held before. In process on a real SQLite file, with the
// production profile (exception handler, no developer pages). What only nginx can refuse (sizes at the edge, rate,
// Host headers at the socket) is in tests/Stack.Tests/EdgeTests.cs; nginx's own settings in NginxConfigTests.cs.
using System.Net;
using System.Text;
using System.Text.Json;
using Api.Data;
using Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Api.Tests;

public sealed class BadInputTests(BadInputTests.SeededApi api) : IClassFixture<BadInputTests.SeededApi>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One bad request: what is sent, and the status it must get.</summary>
    public sealed record HttpCase(
        string Method, string Path, Func<HttpContent?> Content, HttpStatusCode Expected, string? Host = null);

    private static HttpContent Json(string body) => new StringContent(body, Encoding.UTF8, "application/json");

    private static HttpContent Typed(string body, string? mediaType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (mediaType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        return content;
    }

    private static HttpContent Bytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private const HttpStatusCode Bad = HttpStatusCode.BadRequest;
    private const HttpStatusCode NotFound = HttpStatusCode.NotFound;
    private const HttpStatusCode NotAllowed = HttpStatusCode.MethodNotAllowed;
    private const HttpStatusCode Unsupported = HttpStatusCode.UnsupportedMediaType;

    /// <summary>Name -> case. The names are the theory's data, so that each case reports under its own name.</summary>
    public static readonly IReadOnlyDictionary<string, HttpCase> HttpCases = new Dictionary<string, HttpCase>
    {
        // Malformed JSON.
        ["json: truncated object"] = new("POST", "/notes", () => Json("""{"text":"""), Bad),
        ["json: unquoted key"] = new("POST", "/notes", () => Json("""{text:"a"}"""), Bad),
        ["json: single quotes"] = new("POST", "/notes", () => Json("""{'text':'a'}"""), Bad),
        ["json: trailing comma"] = new("POST", "/notes", () => Json("""{"text":"a",}"""), Bad),
        ["json: trailing garbage"] = new("POST", "/notes", () => Json("""{"text":"a"} x"""), Bad),
        ["json: comment"] = new("POST", "/notes", () => Json("""{"text":"a" /* hi */}"""), Bad),
        ["json: empty body"] = new("POST", "/notes", () => Json(""), Bad),
        ["json: whitespace body"] = new("POST", "/notes", () => Json("   "), Bad),
        ["json: null document"] = new("POST", "/notes", () => Json("null"), Bad),
        ["json: array document"] = new("POST", "/notes", () => Json("""[{"text":"a"}]"""), Bad),
        ["json: string document"] = new("POST", "/notes", () => Json("\"a\""), Bad),
        ["json: number document"] = new("POST", "/notes", () => Json("42"), Bad),
        ["json: invalid UTF-8"] = new("POST", "/notes", () => Bytes([.. "{\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8]), Bad),
        ["json: bad escape"] = new("POST", "/notes", () => Json("""{"text":"\q"}"""), Bad),
        ["json: nested 100 deep"] = new("POST", "/notes", () => Json("""{"text":""" + new string('[', 100) + new string(']', 100) + "}"), Bad),
        // Wrong types.
        ["type: text is a number"] = new("POST", "/notes", () => Json("""{"text":123}"""), Bad),
        ["type: text is a boolean"] = new("POST", "/notes", () => Json("""{"text":true}"""), Bad),
        ["type: text is an array"] = new("POST", "/notes", () => Json("""{"text":["a"]}"""), Bad),
        ["type: text is an object"] = new("POST", "/notes", () => Json("""{"text":{"a":1}}"""), Bad),
        ["type: put text is a number"] = new("PUT", "/notes/{seed}", () => Json("""{"text":1}"""), Bad),
        // Unknown and repeated fields.
        ["field: unknown"] = new("POST", "/notes", () => Json("""{"text":"a","colour":"red"}"""), Bad),
        ["field: misspelt"] = new("POST", "/notes", () => Json("""{"txt":"a"}"""), Bad),
        ["field: id from the client"] = new("POST", "/notes", () => Json("""{"text":"a","id":1}"""), Bad),
        ["field: repeated"] = new("POST", "/notes", () => Json("""{"text":"a","text":"b"}"""), Bad),
        ["field: put unknown"] = new("PUT", "/notes/{seed}", () => Json("""{"text":"a","createdAt":"2000-01-01"}"""), Bad),
        // Values the model refuses.
        ["value: text missing"] = new("POST", "/notes", () => Json("{}"), Bad),
        ["value: text null"] = new("POST", "/notes", () => Json("""{"text":null}"""), Bad),
        ["value: text empty"] = new("POST", "/notes", () => Json("""{"text":""}"""), Bad),
        ["value: text blank"] = new("POST", "/notes", () => Json("""{"text":" \t\n "}"""), Bad),
        ["value: text 1001 characters"] = new("POST", "/notes", () => Json($$"""{"text":"{{new string('x', 1001)}}"}"""), Bad),
        ["value: text with NUL"] = new("POST", "/notes", () => Json("""{"text":"a\u0000b"}"""), Bad),
        ["value: text with a lone surrogate"] = new("POST", "/notes", () => Json("""{"text":"a\ud800b"}"""), Bad),
        ["value: put text empty"] = new("PUT", "/notes/{seed}", () => Json("""{"text":""}"""), Bad),
        // Media types.
        ["media: text/plain"] = new("POST", "/notes", () => Typed("""{"text":"a"}""", "text/plain"), Unsupported),
        ["media: none"] = new("POST", "/notes", () => Typed("""{"text":"a"}""", null), Unsupported),
        ["media: xml"] = new("POST", "/notes", () => Typed("<note><text>a</text></note>", "application/xml"), Unsupported),
        ["media: form"] = new("POST", "/notes", () => Typed("text=a", "application/x-www-form-urlencoded"), Unsupported),
        // Ids.
        ["id: negative"] = new("GET", "/notes/-1", () => null, NotFound),
        ["id: zero"] = new("GET", "/notes/0", () => null, NotFound),
        ["id: above int range"] = new("GET", "/notes/2147483648", () => null, NotFound),
        ["id: huge"] = new("GET", "/notes/99999999999999999999999999", () => null, NotFound),
        ["id: not a number"] = new("GET", "/notes/abc", () => null, NotFound),
        ["id: decimal"] = new("GET", "/notes/1.5", () => null, NotFound),
        ["id: hex"] = new("GET", "/notes/0x10", () => null, NotFound),
        ["id: put unknown"] = new("PUT", "/notes/2147483647", () => Json("""{"text":"a"}"""), NotFound),
        ["id: put not a number"] = new("PUT", "/notes/abc", () => Json("""{"text":"a"}"""), NotFound),
        ["id: delete not a number"] = new("DELETE", "/notes/abc", () => null, NotFound),
        // Query strings.
        ["query: take not a number"] = new("GET", "/notes?take=abc", () => null, Bad),
        ["query: take zero"] = new("GET", "/notes?take=0", () => null, Bad),
        ["query: take negative"] = new("GET", "/notes?take=-5", () => null, Bad),
        ["query: take too large"] = new("GET", "/notes?take=100000", () => null, Bad),
        ["query: skip negative"] = new("GET", "/notes?skip=-1", () => null, Bad),
        ["query: skip above int range"] = new("GET", "/notes?skip=99999999999", () => null, Bad),
        ["query: take twice"] = new("GET", "/notes?take=1&take=2", () => null, Bad),
        ["query: slow ms not a number"] = new("GET", "/slow?ms=abc", () => null, Bad),
        // Methods.
        ["method: PATCH a note"] = new("PATCH", "/notes/{seed}", () => Json("""{"text":"a"}"""), NotAllowed),
        ["method: POST to a note"] = new("POST", "/notes/{seed}", () => Json("""{"text":"a"}"""), NotAllowed),
        ["method: DELETE the collection"] = new("DELETE", "/notes", () => null, NotAllowed),
        ["method: PUT the collection"] = new("PUT", "/notes", () => Json("""{"text":"a"}"""), NotAllowed),
        ["method: DELETE profile"] = new("DELETE", "/profile", () => null, NotAllowed),
        // Paths.
        ["path: encoded slash"] = new("GET", "/notes/1%2F2", () => null, NotFound),
        ["path: non-ASCII"] = new("GET", "/n%C3%B6tes", () => null, NotFound),
        ["path: 9,000 characters"] = new("GET", "/" + new string('a', 9000), () => null, NotFound),
        ["path: admin on the public port"] = new("GET", "/admin/status", () => null, NotFound),
        // Host headers (host filtering: ALLOWED_HOSTS).
        ["host: not allowed"] = new("GET", "/profile", () => null, Bad, "evil.example"),
        ["host: allowed name of another site"] = new("GET", "/profile", () => null, Bad, "localhost.evil.example"),
        ["host: not allowed, with a port"] = new("GET", "/profile", () => null, Bad, "evil.example:8080"),
        ["host: IP address not listed"] = new("GET", "/profile", () => null, Bad, "10.1.2.3"),
    };

    public static TheoryData<string> HttpCaseNames => [.. HttpCases.Keys];

    [Theory]
    [MemberData(nameof(HttpCaseNames))]
    public async Task Request_BadInput_ClearErrorAndNothingLost(string name)
    {
        // Arrange
        var bad = HttpCases[name];
        var before = await api.SnapshotAsync();
        using var request = new HttpRequestMessage(
            new HttpMethod(bad.Method), bad.Path.Replace("{seed}", api.SeedId.ToString(), StringComparison.Ordinal))
        {
            Content = bad.Content(),
        };
        if (bad.Host is not null)
        {
            request.Headers.Host = bad.Host;
        }

        // Act
        using var response = await api.Client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var after = await api.SnapshotAsync();

        // Assert
        Assert.Equal(bad.Expected, response.StatusCode);
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{response.Content.Headers.ContentType}: {body}");
        Assert.Equal((int)bad.Expected, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        // Every answer names its slot, even one refused before routing (host filtering).
        Assert.True(response.Headers.Contains("X-Slot"), response.Headers.ToString());
        Assert.Equal(before, after);
    }

    /// <summary>A setting with a bad value, and the words the start-up failure must contain.</summary>
    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "Production", "DB_PORT", "abc", "DB_PORT: expected an integer 1-65535, got 'abc'" },
        { "Production", "DB_PORT", "0", "DB_PORT: expected an integer 1-65535, got '0'" },
        { "Production", "DB_PORT", "-5432", "DB_PORT: expected an integer 1-65535, got '-5432'" },
        { "Production", "DB_PORT", "5432.0", "DB_PORT: expected an integer 1-65535, got '5432.0'" },
        { "Production", "DB_PORT", "65536", "DB_PORT: expected an integer 1-65535, got '65536'" },
        { "Production", "DB_ENGINE", "", "DB_ENGINE: expected 'sqlite' or 'postgresql', got ''" },
        { "Production", "DB_ENGINE", "PostgreSQL", "DB_ENGINE: expected 'sqlite' or 'postgresql', got 'PostgreSQL'" },
        { "Production", "DB_USER", " ", "DB_USER: expected a user name for DB_ENGINE=postgresql" },
        { "Production", "DB_NAME", "", "DB_NAME: expected a database name for DB_ENGINE=postgresql" },
        { "Production", "SLOT", "Blue", "SLOT: expected 'blue' or 'green', got 'Blue'" },
        { "Production", "SLOT", "", "SLOT: expected 'blue' or 'green', got ''" },
        { "Production", "SHUTDOWN_TIMEOUT_SECONDS", "3601", "SHUTDOWN_TIMEOUT_SECONDS: expected an integer 1-3600, got '3601'" },
        { "Production", "SHUTDOWN_TIMEOUT_SECONDS", "30s", "SHUTDOWN_TIMEOUT_SECONDS: expected an integer 1-3600, got '30s'" },
        { "Production", "MAX_REQUEST_SECONDS", "1.5", "MAX_REQUEST_SECONDS: expected an integer 1-3600, got '1.5'" },
        { "Production", "MAX_REQUEST_SECONDS", "31", "MAX_REQUEST_SECONDS: expected at most SHUTDOWN_TIMEOUT_SECONDS (30), got '31'" },
        { "Production", "ENABLE_SLOW_ENDPOINT", "1", "ENABLE_SLOW_ENDPOINT: expected true or false, got '1'" },
        { "Production", "APP_VERSION", "1.0\nX-Injected: yes", "APP_VERSION: expected 1-64 characters" },
        { "Production", "APP_VERSION", new string('9', 65), "APP_VERSION: expected 1-64 characters" },
        { "Production", "TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES: expected ';'-separated CIDRs such as 10.0.0.0/8, got '10.0.0.0/33'" },
        { "Production", "TRUSTED_PROXIES", "nginx", "TRUSTED_PROXIES: expected ';'-separated CIDRs such as 10.0.0.0/8, got 'nginx'" },
        { "Production", "ALLOWED_HOSTS", ";", "ALLOWED_HOSTS: expected ';'-separated host names" },
        { "Production", "MANAGEMENT_PORT", "65536", "MANAGEMENT_PORT: expected an integer 1-65535, got '65536'" },
        { "Production", "EXPOSE_INSTANCE_DETAILS", "yes", "EXPOSE_INSTANCE_DETAILS: expected true or false, got 'yes'" },
        { "Production", "SECRET_KEY", "changeme-0123456789abcdef0123456789", "SECRET_KEY: expected a real secret outside Development" },
        { "Development", "DB_NAME", "", "DB_NAME: expected a file name for DB_ENGINE=sqlite, got ''" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Setting_BadValue_RefusedNamingVariable(string environment, string variable, string value, string expected)
    {
        // Act
        var failures = UnsafeSettingsTests.StartupFailures(environment, (variable, value));

        // Assert
        Assert.True(failures.Contains(expected, StringComparison.Ordinal), failures);
    }

    /// <summary>
    /// The end of a .env file (after two good lines), and the words the start-up failure must contain; line numbers
    /// count the two good lines.
    /// </summary>
    public static TheoryData<string, string> BadDotEnvFiles => new()
    {
        { "SLOT=green\nDB_PASSWORD hunter2\n", "line 4: malformed; expected KEY=VALUE" },
        { "SLOT=\"green\n", "line 3: malformed" },
        { "=green\n", "line 3: malformed" },
        { "SLOT=red\n", "SLOT: expected 'blue' or 'green', got 'red'" },
        { "DB_PORT='5432 '\n", "DB_PORT: expected an integer 1-65535, got '5432 '" },
        { "MANAGEMENT_PORT=nine\n", "MANAGEMENT_PORT: expected an integer 1-65535, got 'nine'" },
    };

    [Theory]
    [MemberData(nameof(BadDotEnvFiles))]
    public async Task Main_BadDotEnvFile_ExitsOneNamingLineOrVariable(string content, string expected)
    {
        // Arrange: a development instance whose only bad value comes from its .env file.
        var directory = TempDirectory.Create("bad-dotenv");
        var lines = $"ASPNETCORE_ENVIRONMENT=Development\nDB_NAME={Path.Combine(directory, "notes.db")}\n";
        var path = Path.Combine(directory, ".env");
        await File.WriteAllTextAsync(path, lines + content, Ct);

        // Act
        // MANAGEMENT_PORT unset: AppProcess would otherwise give it a value, which would win over the file's.
        var (exitCode, stdout, stderr) = await AppProcess.RunAsync(
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["MANAGEMENT_PORT"] = null },
            directory);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A production instance on a migrated SQLite file holding one note, shared by the class (its tests run one at a
    /// time): each test compares the whole table before and after its request.
    /// </summary>
    public sealed class SeededApi : IAsyncLifetime
    {
        private readonly ApiFactory _factory = new("Production", new Dictionary<string, string?>
        {
            ["SECRET_KEY"] = "tests-0123456789abcdef0123456789abcdef",
            ["DB_ENGINE"] = "sqlite",
        });

        public HttpClient Client { get; private set; } = null!;

        public int SeedId { get; private set; }

        public async ValueTask InitializeAsync()
        {
            await using (var scope = _factory.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
                await db.Database.MigrateAsync();
                var seed = new Note { Text = "seed", CreatedAt = DateTimeOffset.UnixEpoch };
                db.Notes.Add(seed);
                await db.SaveChangesAsync();
                SeedId = seed.Id;
            }

            Client = _factory.CreateClient();
        }

        /// <summary>Every row, as text, read from the database itself rather than through the API.</summary>
        public async Task<string> SnapshotAsync()
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var notes = await scope.ServiceProvider.GetRequiredService<NotesContext>().Notes
                .AsNoTracking()
                .OrderBy(n => n.Id)
                .Select(n => $"{n.Id}|{n.Text}|{n.CreatedAt:O}|{n.UpdatedAt:O}")
                .ToListAsync();
            return string.Join("\n", notes);
        }

        public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
    }
}
