using System.Text;

namespace CodexSharp.Core.Io;

/// <summary>
/// Whole-file writes that a crash cannot leave half done: the content goes to a temporary file beside the
/// target, is flushed to disk, and is renamed over the target in one step. A reader sees the old file or the new
/// one, never a mix.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes what <paramref name="write"/> puts into the stream, then renames it over <paramref name="path"/>.</summary>
    /// <remarks>
    /// The temporary name is unique to this write, so two processes filling the same cache entry at once each
    /// write their own file and the last rename wins, instead of one failing on the other's temporary file.
    /// </remarks>
    /// <exception cref="UserInputException">The target is a device, a pipe or a socket.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        OutputFiles.CheckWritableTarget(path);
        var temporary = $"{path}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes a small status file (a run's record) where a full disk must not stop it: atomically when there is
    /// room, else over the old file in place, which needs no new blocks for a file of about the same size.
    /// </summary>
    public static void WriteStatus(string path, string text)
    {
        try
        {
            WriteAllText(path, text);
        }
        catch (IOException e) when (OutputFiles.IsDiskFull(e) && File.Exists(path))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes);
            stream.SetLength(bytes.Length);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Deletes <paramref name="path"/> if it can; a file that cannot be deleted is left (cleanup must not mask the error being handled).</summary>
    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
