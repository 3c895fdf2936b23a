// Scratch space for one test run: SQLite files, .env files, certificates. Each test makes its own entries in it.
namespace Api.Tests.Infrastructure;

public static class TempDirectory
{
    public static string Root { get; } = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "zdd-api-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;

    /// <summary>A new empty directory under <see cref="Root"/>.</summary>
    public static string Create(string prefix) =>
        Directory.CreateDirectory(Path.Combine(Root, $"{prefix}-{Guid.NewGuid():N}")).FullName;
}
