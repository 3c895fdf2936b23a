// Options for a private compose stack started by ComposeStack.StartAsync.
namespace Docker.Testing;

public sealed record ComposeStackOptions
{
    /// <summary>APP_VERSION baked into the image that both slot tags (:blue and :green) start from.</summary>
    public string ApiVersion { get; init; } = "1.0.0";

    /// <summary>
    /// Extra or overriding lines for the stack's env file (read by compose for interpolation and by every API
    /// container through env_file), e.g. <c>["MAX_REQUEST_SECONDS"] = "5"</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Services to start with <c>up -d --wait</c>; empty means all of them.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Prefix of the compose project name and of the API image repository; a random suffix follows.</summary>
    public string NamePrefix { get; init; } = "zdd-test";

    /// <summary>Bound on <c>docker compose up -d --wait</c>.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
