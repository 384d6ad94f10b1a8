namespace CodexSharp.Core.Generation;

/// <summary>
/// A stage's config holds a value it cannot run with. <see cref="Field"/> is the config field's name (as written
/// in the run's record); the command line maps it to the flag the user typed.
/// </summary>
public sealed class InvalidConfigException(string field, string problem) : Exception($"{field}: {problem}")
{
    /// <summary>The config field, e.g. <c>temperature</c> or <c>backend.request_timeout</c>.</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong and what was expected, without the field's name.</summary>
    public string Problem { get; } = problem;
}
