// A start-up failure whose message is already fit for the console (the entry point prints it, no stack trace).
namespace Api.Settings;

public sealed class StartupFailedException(string message) : Exception(message);
