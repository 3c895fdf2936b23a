// The deploy state the scripts keep in the stack's own PostgreSQL (database zdd_deploy: the deploy lock, the
// history), read by the Docker tests the way an operator would: psql in the db container, as its superuser over the
// local socket. Used by tests/Deploy.Tests and tests/Proof.Tests.
namespace Docker.Testing;

public static class DeployState
{
    /// <summary>
    /// Runs one SQL statement in database zdd_deploy and returns psql's unaligned, tuples-only output (not checked:
    /// before the first deploy the database does not exist yet). The SQL is the test's own text, never user input.
    /// </summary>
    public static Task<ProcessResult> QueryAsync(ComposeStack stack, string sql)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.ExecAsync("db", "sh", "-c",
            "exec psql --no-psqlrc --quiet --tuples-only --no-align --username \"$POSTGRES_USER\" --dbname zdd_deploy " +
            "--command \"$1\"", "zdd-test", sql);
    }

    /// <summary>Whether a run holds the deploy lock now.</summary>
    public static async Task<bool> LockHeldAsync(ComposeStack stack)
    {
        var result = await QueryAsync(stack, "SELECT count(*) FROM deploy_lock").ConfigureAwait(false);
        return result.ExitCode == 0 && result.StdOut.Trim() == "1";
    }

    /// <summary>Removes a lock a failed test left behind (the history is append-only and stays).</summary>
    public static Task<ProcessResult> ClearLockAsync(ComposeStack stack) => QueryAsync(stack, "DELETE FROM deploy_lock");
}
