// Checks the writers' notes against PostgreSQL: every acknowledged write is stored exactly once (with the id the
// client got), and no write is stored twice, acknowledged or not. A doubled row is what a retried POST leaves
// behind (proxy_next_upstream non_idempotent, docs/failure-modes.md #10).
using Docker.Testing;
using Proof.Tests.Load;

namespace Proof.Tests.Checks;

public sealed record NotesCheck(
    int Acknowledged,
    int Unacknowledged,
    int UnacknowledgedStored,
    IReadOnlyList<string> AcknowledgedMissing,
    IReadOnlyList<string> AcknowledgedWithWrongId,
    IReadOnlyList<string> StoredMoreThanOnce)
{
    public bool IsExact =>
        AcknowledgedMissing.Count == 0 && AcknowledgedWithWrongId.Count == 0 && StoredMoreThanOnce.Count == 0;

    public string Describe() =>
        $"notes: acknowledged {Acknowledged}, " +
        $"unacknowledged {Unacknowledged} (of which stored {UnacknowledgedStored}), " +
        $"acknowledged but missing {AcknowledgedMissing.Count}, wrong id {AcknowledgedWithWrongId.Count}, " +
        $"stored more than once {StoredMoreThanOnce.Count}" +
        (IsExact ? "" : ": " + string.Join(", ",
            AcknowledgedMissing.Concat(AcknowledgedWithWrongId).Concat(StoredMoreThanOnce).Take(10)));
}

public static class NotesInDatabase
{
    public static async Task<NotesCheck> CheckAsync(ComposeStack stack, LoadReport report, string runId) =>
        Compare(report.Samples, await ReadStoredAsync(stack, runId));

    /// <summary>Compares what the writers saw with what is stored (text -> rows, smallest id).</summary>
    public static NotesCheck Compare(
        IEnumerable<RequestSample> samples,
        IReadOnlyDictionary<string, (int Count, long MinId)> stored)
    {
        var writes = samples.Where(s => s.Kind == ClientKind.Writer && s.WriteText is not null).ToList();
        var acknowledged = writes.Where(w => w.WriteId is not null).ToList();
        var unacknowledged = writes.Where(w => w.WriteId is null).ToList();

        return new NotesCheck(
            acknowledged.Count,
            unacknowledged.Count,
            unacknowledged.Count(w => stored.ContainsKey(w.WriteText!)),
            acknowledged.Where(w => !stored.ContainsKey(w.WriteText!)).Select(w => w.WriteText!).ToList(),
            acknowledged
                .Where(w => stored.TryGetValue(w.WriteText!, out var row) && row.Count == 1 && row.MinId != w.WriteId)
                .Select(w => w.WriteText!)
                .ToList(),
            stored.Where(kv => kv.Value.Count > 1).Select(kv => $"{kv.Key} x{kv.Value.Count}").ToList());
    }

    /// <summary>text -> (rows, smallest id) for this run's notes, read with psql inside the db container.</summary>
    private static async Task<Dictionary<string, (int Count, long MinId)>> ReadStoredAsync(ComposeStack stack, string runId)
    {
        // EF Core names the table and columns after the entity ("Notes", "Id", "Text") unless configured otherwise;
        // ask the catalogue instead of guessing, so that a snake_case mapping works too.
        var table = (await PsqlAsync(stack,
            "SELECT quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_schema = 'public' AND lower(table_name) = 'notes'")).Trim();
        var columns = (await PsqlAsync(stack,
            "SELECT lower(column_name) || '=' || quote_ident(column_name) FROM information_schema.columns " +
            $"WHERE table_schema = 'public' AND quote_ident(table_name) = '{table.Replace("'", "''", StringComparison.Ordinal)}'"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        if (table.Length == 0 || !columns.TryGetValue("id", out var id) || !columns.TryGetValue("text", out var text))
        {
            throw new InvalidOperationException($"No notes table with id and text columns in the database (table '{table}').");
        }

        // The run id is hex and dashes (LoadOptions.RunId), so it is safe inside the literal.
        var rows = await PsqlAsync(stack,
            $"SELECT {text}, count(*), min({id}) FROM {table} WHERE {text} LIKE '{runId}-%' GROUP BY {text}");
        return rows.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .ToDictionary(p => p[0], p => (int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<string> PsqlAsync(ComposeStack stack, string sql)
    {
        var settings = ReadEnvFile(stack.EnvFile);
        var user = settings.GetValueOrDefault("DB_USER") ?? settings.GetValueOrDefault("POSTGRES_USER") ?? "postgres";
        var database = settings.GetValueOrDefault("DB_NAME") ?? settings.GetValueOrDefault("POSTGRES_DB") ?? user;
        var result = await stack.ExecAsync("db", "psql", "-U", user, "-d", database, "-At", "-F", "|",
            "-v", "ON_ERROR_STOP=1", "-c", sql);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed ({result.ExitCode}): {result.StdErr}");
        }

        return result.StdOut;
    }

    private static Dictionary<string, string> ReadEnvFile(string path) => File.ReadAllLines(path)
        .Select(line => line.Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#') && line.Contains('=', StringComparison.Ordinal))
        .Select(line => line.Split('=', 2))
        .GroupBy(p => p[0].Trim())
        .ToDictionary(g => g.Key, g => g.Last()[1].Trim().Trim('"', '\''));
}
