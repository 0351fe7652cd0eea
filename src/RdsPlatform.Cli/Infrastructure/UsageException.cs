namespace RdsPlatform.Cli.Infrastructure;

/// <summary>A value on the command line that cannot be used; reported as a usage error (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
