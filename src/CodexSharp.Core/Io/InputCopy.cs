namespace CodexSharp.Core.Io;

/// <summary>
/// An input file that can be read as often as a stage needs. A regular file is used where it is; a pipe
/// (<c>&lt;(command)</c>, <c>/dev/stdin</c>, a FIFO) can be read only once and cannot be seeked, so it is copied
/// whole to a temporary file first, which is deleted when this is disposed.
/// </summary>
public sealed class InputCopy : IDisposable
{
    private InputCopy(string path, string original, bool isCopy)
    {
        Path = path;
        Original = original;
        IsCopy = isCopy;
    }

    /// <summary>The file to read: the input itself, or its temporary copy.</summary>
    public string Path { get; }

    /// <summary>The path the user gave.</summary>
    public string Original { get; }

    /// <summary>True when <see cref="Original"/> is a pipe or device that was read once into a copy.</summary>
    public bool IsCopy { get; }

    /// <summary>
    /// The input as a file that can be read again. Opening a FIFO waits until something writes to it; that
    /// wait and the copy run off the caller's thread, so <paramref name="cancellationToken"/> (Ctrl-C,
    /// SIGTERM) ends them at once.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled before the input was read whole.</exception>
    /// <exception cref="UserInputException">The input cannot be read.</exception>
    public static async Task<InputCopy> OfAsync(string path, CancellationToken cancellationToken)
    {
        var kind = FileKind.Of(path);
        if (kind is FileKindValue.Regular or FileKindValue.Missing or FileKindValue.Directory) return new InputCopy(path, path, isCopy: false);
        var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"codexsharp-input-{Environment.ProcessId}-{Random.Shared.Next():x8}");
        var reading = Task.Run(() =>
        {
            try
            {
                using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
                using var target = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                source.CopyTo(target);
            }
            catch (UnauthorizedAccessException)
            {
                throw new UserInputException($"{path}: permission denied.");
            }
            catch (IOException e)
            {
                throw new UserInputException($"{path}: cannot be read ({e.Message.TrimEnd('.')}).");
            }
        }, CancellationToken.None);
        try
        {
            await reading.WaitAsync(cancellationToken);
        }
        catch
        {
            AtomicFile.TryDelete(copy);
            throw;
        }
        return new InputCopy(copy, path, isCopy: true);
    }

    public void Dispose()
    {
        if (IsCopy) AtomicFile.TryDelete(Path);
    }
}
