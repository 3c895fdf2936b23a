// Publishes the Swarm tests' figures where people look for them: the test's output, the runner's diagnostic messages
// (shown by `dotnet test`, see xunit.runner.json), stdout (CI logs), and swarm-results.json beside the test assembly,
// from which docs/swarm.md quotes its figures.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Xunit;

namespace Swarm.Tests.Infrastructure;

public static class Report
{
    private static readonly Lock FileLock = new();

    public static string ResultsPath => Path.Combine(AppContext.BaseDirectory, "swarm-results.json");

    public static void Publish(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var tagged = $"[swarm] {line.TrimEnd()}";
            TestContext.Current.TestOutputHelper?.WriteLine(tagged);
            TestContext.Current.SendDiagnosticMessage(tagged);
            Console.WriteLine(tagged);
        }
    }

    /// <summary>Appends this run of <paramref name="testName"/> to its list in swarm-results.json (the last 10 kept), so
    /// that figures of several runs can be compared.</summary>
    public static void Save(string testName, object figures)
    {
        lock (FileLock)
        {
            var root = File.Exists(ResultsPath)
                ? JsonNode.Parse(File.ReadAllText(ResultsPath)) as JsonObject ?? []
                : [];
            root["machine"] = $"{Environment.ProcessorCount} cores, " +
                System.Runtime.InteropServices.RuntimeInformation.OSDescription;
            var runs = root[testName] as JsonArray ?? [];
            var entry = JsonSerializer.SerializeToNode(figures, Options)!;
            entry["at"] = DateTimeOffset.UtcNow.ToString("O");
            runs.Add(entry);
            while (runs.Count > 10)
            {
                runs.RemoveAt(0);
            }

            root[testName] = runs;
            File.WriteAllText(ResultsPath, root.ToJsonString(Options));
        }
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
