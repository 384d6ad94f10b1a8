using CodexSharp.Core.Io;

namespace CodexSharp.Generation.Running;

/// <summary>Whether a run is alive: it holds the exclusive lock <see cref="OutputPaths.Lock"/> beside its output, which the
/// operating system drops when the process dies.</summary>
public static class RunLock
{
    /// <summary>True when some process (this one included) holds the lock of <paramref name="outputPath"/>.</summary>
    public static bool IsHeld(string outputPath)
    {
        var lockPath = OutputPaths.Lock(outputPath);
        if (!File.Exists(lockPath)) return false;
        try
        {
            using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
