// Test hooks for the fault matrix of the proof tests: a version that never becomes ready, one that crashes at start.
// Off by default; nothing in production sets them.
using Microsoft.Extensions.Options;

namespace Api.Settings;

public sealed class TestHooksOptions
{
    public const string SectionName = "TestHooks";

    /// <summary>FAIL_READINESS: /health/ready always answers 503.</summary>
    public string FailReadiness { get; set; } = "false";

    /// <summary>CRASH_ON_START: the process exits 1 at start with a message.</summary>
    public string CrashOnStart { get; set; } = "false";

    public bool GetFailReadiness() => Expect.Flag(FailReadiness);

    public bool GetCrashOnStart() => Expect.Flag(CrashOnStart);
}

internal sealed class TestHooksOptionsValidator : IValidateOptions<TestHooksOptions>
{
    public ValidateOptionsResult Validate(string? name, TestHooksOptions options)
    {
        var failures = new List<string>();
        Expect.Boolean(failures, "FAIL_READINESS", options.FailReadiness);
        Expect.Boolean(failures, "CRASH_ON_START", options.CrashOnStart);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
