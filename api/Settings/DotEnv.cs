// Loads a .env file into the process environment before the host is built, the way docker's env_file and a shell
// would: variables already set in the real environment win (DotNetEnv's NoClobber).
// Where: DOTENV_PATH when set (the file must then exist), else .env in the current directory (may be missing).
using DotNetEnv;
using Sprache;

namespace Api.Settings;

internal static class DotEnv
{
    public const string PathVariable = "DOTENV_PATH";

    /// <summary>Loads the file and returns its full path, or null when there is none to load.</summary>
    /// <exception cref="StartupFailedException">DOTENV_PATH names a missing file, or a line is malformed.</exception>
    public static string? Load()
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        var path = Path.GetFullPath(string.IsNullOrEmpty(explicitPath) ? ".env" : explicitPath);

        if (!File.Exists(path))
        {
            return string.IsNullOrEmpty(explicitPath)
                ? null
                : throw new StartupFailedException(Expect.Message(PathVariable, "an existing .env file", explicitPath));
        }

        try
        {
            Env.NoClobber().Load(path);
            return path;
        }
        catch (ParseException e)
        {
            // Sprache's own message ends with "recently consumed: <text>", which may be part of a secret: keep only
            // the position.
            throw new StartupFailedException(
                $"{path} line {e.Position?.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: " +
                "malformed; expected KEY=VALUE, a # comment or a blank line");
        }
    }
}
