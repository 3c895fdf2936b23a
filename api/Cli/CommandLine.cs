// The app's command-line verbs (`dotnet Api.dll <verb>`); with no verb it serves.
//   probe <path> [--port 8080] [--timeout 5]   GET http://127.0.0.1:<port><path>; exit 0 on 2xx (HEALTHCHECK)
//   tls-cert <dir> [--host localhost]          write <dir>/tls.crt and tls.key if absent (compose tls-init)
//   migrate                                    apply EF Core migrations for DB_ENGINE and exit
//   drain-wait [--quiet 1] [--timeout 30]      wait until the slot is drained (deploy-scripts' Wait-SlotDrain)
// probe, tls-cert and drain-wait run before anything reads settings: they need no database and no .env.
namespace Api.Cli;

internal static class CommandLine
{
    public const int UsageExitCode = 2;

    public static bool IsStandaloneVerb(string[] args) => args is ["probe", ..] or ["tls-cert", ..] or ["drain-wait", ..];

    public static bool IsMigrate(string[] args) => args is ["migrate", ..];

    /// <summary>The arguments the web host sees: the verb itself is not a configuration key.</summary>
    public static string[] HostArgs(string[] args) => IsMigrate(args) ? args[1..] : args;

    public static Task<int> RunStandaloneAsync(string[] args) => args[0] switch
    {
        "probe" => ProbeCommand.RunAsync(args[1..]),
        "tls-cert" => Task.FromResult(TlsCertCommand.Run(args[1..])),
        "drain-wait" => DrainWaitCommand.RunAsync(args[1..]),
        _ => throw new ArgumentException($"Not a standalone verb: {args[0]}", nameof(args)),
    };

    /// <summary>
    /// Splits "positional --name value" arguments; returns null (after printing why) when they don't fit.
    /// </summary>
    public static (string Positional, Dictionary<string, string> Named)? Parse(
        string verb, string[] args, string usage, params string[] names)
    {
        string? positional = null;
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var isOption = args[i].StartsWith("--", StringComparison.Ordinal);
            if (isOption && names.Contains(args[i][2..]) && i + 1 < args.Length)
            {
                named[args[i][2..]] = args[++i];
            }
            else if (positional is null && !isOption)
            {
                positional = args[i];
            }
            else
            {
                Console.Error.WriteLine($"{verb}: unexpected argument '{args[i]}'. Usage: {usage}");
                return null;
            }
        }

        if (positional is null)
        {
            Console.Error.WriteLine($"{verb}: missing argument. Usage: {usage}");
            return null;
        }

        return (positional, named);
    }
}
