// Scratch space for one test run: SQLite files, .env files, certificates. Each test makes its own entries in it;
// the whole directory is removed when the run ends (TempDirectoryCleanup).
using Xunit;

[assembly: AssemblyFixture(typeof(Api.Tests.Infrastructure.TempDirectoryCleanup))]

namespace Api.Tests.Infrastructure;

public static class TempDirectory
{
    public static string Root { get; } = Directory.CreateDirectory(Path.Combine(
        Path.GetTempPath(), "zdd-api-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;

    /// <summary>A new empty directory under <see cref="Root"/>.</summary>
    public static string Create(string prefix) =>
        Directory.CreateDirectory(Path.Combine(Root, $"{prefix}-{Guid.NewGuid():N}")).FullName;
}

public sealed class TempDirectoryCleanup : IDisposable
{
    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(TempDirectory.Root, recursive: true);
        }
        catch (IOException)
        {
            // A process a test started may still hold a file for a moment; /tmp is cleaned by the OS anyway.
        }
    }
}
