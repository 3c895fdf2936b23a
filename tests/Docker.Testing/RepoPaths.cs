// Locates the repository, so that tests always use the shipped files (docker-compose.yaml, nginx/, api/) in place.
namespace Docker.Testing;

public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The directory holding Service.sln (the repository root).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The shipped compose file.</summary>
    public static string ComposeFile => Path.Combine(Root, "docker-compose.yaml");

    /// <summary>The shipped nginx configuration directory.</summary>
    public static string NginxDirectory => Path.Combine(Root, "nginx");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Service.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Service.sln above {AppContext.BaseDirectory}: run the tests from inside the repository.");
    }
}
