namespace CodexSharp.Core.Io;

/// <summary>
/// A write failed because the disk (or the user's quota) is full. Not a mistake in the input: the command
/// line exits 1, and what was finished is kept for the same command to continue once space is freed.
/// </summary>
public sealed class DiskFullException(string path, Exception inner) : IOException($"{path}: {Advice}", inner)
{
    /// <summary>What a full disk means for the user, with or without the path that could not be written.</summary>
    public const string Advice = "no space left on device; free some space and run the same command again (finished work is kept).";

    /// <summary>The file that could not be written.</summary>
    public string Path { get; } = path;
}
