namespace CodexSharp.Core;

/// <summary>
/// A stage's configuration holds a value it cannot run with. <see cref="Field"/> is the config field's name
/// (snake_case, as the run's record writes it); the command line maps it to its flag and exits with
/// <see cref="ExitCodes.BadInput"/>.
/// </summary>
public sealed class ConfigException(string field, string reason) : Exception($"{field}: {reason}")
{
    /// <summary>The config field, e.g. <c>timeout_s</c>.</summary>
    public string Field { get; } = field;

    /// <summary>What was expected, e.g. "expected 1 to 16".</summary>
    public string Reason { get; } = reason;
}
