// Publishes the proof's figures where people look for them: the test's output, the runner's diagnostic messages
// (shown by `dotnet test`, see xunit.runner.json), stdout (CI logs), and proof-results.json beside the test
// assembly, from which docs/proof.md quotes the last run.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Xunit;

namespace Proof.Tests.Infrastructure;

public static class Figures
{
    private static readonly Lock FileLock = new();

    public static string ResultsPath => Path.Combine(AppContext.BaseDirectory, "proof-results.json");

    public static void Publish(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var tagged = $"[proof] {line.TrimEnd()}";
            TestContext.Current.TestOutputHelper?.WriteLine(tagged);
            TestContext.Current.SendDiagnosticMessage(tagged);
            Console.WriteLine(tagged);
        }
    }

    /// <summary>Adds (or replaces) this test's section of proof-results.json.</summary>
    public static void Save(string testName, object figures)
    {
        lock (FileLock)
        {
            var root = File.Exists(ResultsPath)
                ? JsonNode.Parse(File.ReadAllText(ResultsPath)) as JsonObject ?? []
                : [];
            root["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
            root["updatedAt"] = DateTimeOffset.UtcNow.ToString("O");
            var section = JsonSerializer.SerializeToNode(figures, Options)!;
            section["at"] = DateTimeOffset.UtcNow.ToString("O");
            root[testName] = section;
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
