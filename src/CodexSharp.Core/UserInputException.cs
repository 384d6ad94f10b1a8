namespace CodexSharp.Core;

/// <summary>
/// A mistake in what the user gave us: a file, a line, a field or a flag. The command line prints
/// <see cref="Exception.Message"/> without a stack trace and exits with <see cref="ExitCodes.BadInput"/>.
/// </summary>
public sealed class UserInputException : Exception
{
    public UserInputException(string message) : base(message) { }

    public UserInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Builds "FILE:LINE: field 'F': what was expected" — the shape every input error takes.</summary>
    public static UserInputException At(string file, long line, string? field, string message) =>
        new(field is null ? $"{file}:{line}: {message}" : $"{file}:{line}: field '{field}': {message}");
}

/// <summary>Process exit codes of the <c>codexsharp</c> command, as documented in the README.</summary>
public static class ExitCodes
{
    /// <summary>The work was done.</summary>
    public const int Success = 0;
    /// <summary>The run failed: an environment or backend problem, or a self-check that did not pass.</summary>
    public const int RunFailed = 1;
    /// <summary>The user's input is wrong; the message names the file, line and field.</summary>
    public const int BadInput = 2;
    /// <summary>Interrupted (Ctrl-C); everything finished so far is saved and a re-run continues.</summary>
    public const int Interrupted = 130;
}
