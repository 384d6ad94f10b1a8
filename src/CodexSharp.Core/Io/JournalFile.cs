using System.Text;

namespace CodexSharp.Core.Io;

/// <summary>
/// An append-only file of text lines that a crash cannot damage beyond the line being written. Opening it
/// takes an exclusive OS lock (<see cref="OutputPaths.Lock"/> of the output it belongs to), reads back every
/// complete line and cuts off a torn last line left by a run killed mid-write. Each appended line is one
/// write followed by a flush, so nothing appended before is ever lost.
/// </summary>
public sealed class JournalFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly FileStream _lock;
    private readonly List<long> _lineEnds;
    private readonly Lock _gate = new();

    private JournalFile(string path, string lockPath, FileStream stream, FileStream lockFile, List<string> lines, List<long> lineEnds, long repaired)
    {
        Path = path;
        LockPath = lockPath;
        _stream = stream;
        _lock = lockFile;
        Lines = lines;
        _lineEnds = lineEnds;
        RepairedBytes = repaired;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The lock file held while the journal is open.</summary>
    public string LockPath { get; }

    /// <summary>The complete lines the file held when it was opened, in order, without their '\n'.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Bytes of an incomplete last line cut off when the file was opened (0 if none).</summary>
    public long RepairedBytes { get; }

    /// <summary>
    /// Opens (or creates) the journal at <paramref name="path"/>, locked on behalf of <paramref name="output"/>:
    /// the lock is <c>OutputPaths.Lock(output)</c>, held until <see cref="Dispose"/> or the process ends.
    /// </summary>
    /// <exception cref="UserInputException">Another process holds the lock, or the folder or file cannot be created or written.</exception>
    public static JournalFile Open(string path, string output)
    {
        var lockPath = OutputPaths.Lock(output);
        OutputFiles.CreateParentDirectory(path);
        var lockFile = TakeLock(lockPath, output);
        FileStream? stream = null;
        try
        {
            stream = OutputFiles.Guard(path, () => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read));
            var (lines, ends) = ReadLines(stream);
            var complete = ends.Count == 0 ? 0 : ends[^1];
            var repaired = stream.Length - complete;
            if (repaired > 0) stream.SetLength(complete);
            stream.Seek(0, SeekOrigin.End);
            return new JournalFile(path, lockPath, stream, lockFile, lines, ends, repaired);
        }
        catch
        {
            stream?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="line"/> (which must not contain '\n') and flushes it. Thread-safe.</summary>
    public void Append(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
    }

    /// <summary>Cuts the file back to its first <paramref name="lines"/> read-back lines (0 empties it).</summary>
    public void KeepFirst(int lines)
    {
        lock (_gate)
        {
            _stream.SetLength(lines == 0 ? 0 : _lineEnds[lines - 1]);
            _stream.Seek(0, SeekOrigin.End);
        }
    }

    /// <summary>Closes the file and deletes it (the run it recorded is complete), then releases the lock.</summary>
    public void Delete()
    {
        _stream.Dispose();
        File.Delete(Path);
        _lock.Dispose();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _lock.Dispose();
    }

    /// <summary>
    /// True when a run holds the lock of <paramref name="output"/> (this process included); a run that died holds
    /// nothing, because the operating system drops the lock with the process.
    /// </summary>
    public static bool IsLockHeld(string output)
    {
        var lockPath = OutputPaths.Lock(output);
        try
        {
            using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            return false;
        }
        catch (IOException e) when (e.HResult == OutputFiles.LockHeld)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>An exclusive lock the operating system drops when the process dies, so a killed run never blocks the next.</summary>
    private static FileStream TakeLock(string lockPath, string output)
    {
        try
        {
            return OutputFiles.Guard(lockPath, () =>
                new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException e) when (e.HResult == OutputFiles.LockHeld)
        {
            throw new UserInputException($"{output}: another run is writing this file (it holds the lock {lockPath}); wait for it to finish or choose another output file.");
        }
    }

    private static (List<string> Lines, List<long> Ends) ReadLines(FileStream stream)
    {
        var lines = new List<string>();
        var ends = new List<long>();
        stream.Seek(0, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long position = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                if (newline < 0)
                {
                    line.Write(buffer, start, read - start);
                    break;
                }
                line.Write(buffer, start, newline - start);
                lines.Add(Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length));
                line.SetLength(0);
                ends.Add(position + newline + 1);
                start = newline + 1;
            }
            position += read;
        }
        return (lines, ends);
    }
}
