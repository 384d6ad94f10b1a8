namespace CodexSharp.Core.Io;

/// <summary>
/// Checks on the files a stage is about to write, made before any work starts, and the one translation of
/// the operating system's refusals (read-only file system, permission, a folder where a file should be) into
/// messages that say which path and what is wrong.
/// </summary>
public static class OutputFiles
{
    /// <summary>EAGAIN: the file's lock is held by another process (the caller reports which run holds it).</summary>
    internal const int LockHeld = 11;

    /// <summary>
    /// Refuses an output path that is a folder, or that is (also through symlinks and relative paths) one of
    /// the <paramref name="inputs"/> the stage reads, which writing would destroy.
    /// </summary>
    /// <exception cref="UserInputException">The output is a folder, a device, a pipe or a socket, or one of the inputs.</exception>
    public static void CheckOutput(string output, params (string Path, string Role)[] inputs)
    {
        if (Directory.Exists(output)) throw new UserInputException($"{output}: is a folder; the output must be a file path.");
        CheckWritableTarget(output);
        foreach (var (path, role) in inputs)
        {
            if (SameFile(output, path))
                throw new UserInputException($"{output}: is the {role} ({path}); writing the output there would destroy it. Choose another output file.");
        }
    }

    /// <summary>
    /// Refuses a path whose existing entry is not a regular file: writing goes to a temporary file renamed over
    /// the target, which would replace a device such as <c>/dev/null</c> or a pipe with a plain file.
    /// </summary>
    /// <exception cref="UserInputException">The path is a device, a pipe or a socket.</exception>
    public static void CheckWritableTarget(string path)
    {
        var kind = FileKind.Of(path);
        if (kind is FileKindValue.Missing or FileKindValue.Regular or FileKindValue.Directory) return;
        throw new UserInputException($"{path}: is {FileKind.Describe(kind)}, not a regular file; outputs are written whole and renamed into place, so give a file path.");
    }

    /// <summary>Creates the folder <paramref name="path"/> goes in.</summary>
    /// <exception cref="UserInputException">The folder cannot be created (read-only, permission, a file in the way).</exception>
    public static void CreateParentDirectory(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null || Directory.Exists(directory)) return;
        Guard(directory, () => Directory.CreateDirectory(directory));
    }

    /// <summary>Runs <paramref name="write"/>, turning the operating system's refusal to write <paramref name="path"/> into a message.</summary>
    /// <exception cref="UserInputException">The path is a folder, read-only, not permitted, or on a full disk.</exception>
    public static T Guard<T>(string path, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserInputException(Directory.Exists(path)
                ? $"{path}: is a folder; expected a file."
                : $"{path}: cannot write: permission denied.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new UserInputException($"{path}: cannot write: a folder on the way does not exist.");
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw new DiskFullException(path, e);
        }
        catch (IOException e) when (e.HResult != LockHeld)
        {
            throw new UserInputException($"{path}: cannot write: {Reason(e)}.");
        }
    }

    /// <summary>Runs <paramref name="write"/> with the same messages as <see cref="Guard{T}"/>.</summary>
    public static void Guard(string path, Action write) => Guard(path, () =>
    {
        write();
        return 0;
    });

    /// <summary>True when both paths name the same file, after resolving relative parts and every symlink on the way.</summary>
    public static bool SameFile(string a, string b) => string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    /// <summary>
    /// The file .NET opens for <paramref name="path"/>: made absolute as <see cref="Path.GetFullPath(string)"/>
    /// does (which drops ".." by name), then every symlink resolved as the operating system does, where a ".."
    /// in a link's target goes up from where the link before it points.
    /// </summary>
    public static string RealPath(string path)
    {
        var absolute = Path.GetFullPath(path);
        var pending = new LinkedList<string>(absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "/";
        var hops = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var part = first.Value;
            if (part == ".") continue;
            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }
            var next = Path.Combine(resolved, part);
            if (SymlinkTarget(next) is not { } target || ++hops > 40)
            {
                resolved = next;
                continue;
            }
            if (target.StartsWith('/')) resolved = "/";
            foreach (var piece in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.AddFirst(piece);
        }
        return resolved;
    }

    private static string? SymlinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>ENOSPC or EDQUOT: the file system (or the user's quota) is full, which is no mistake in the input.</summary>
    public static bool IsDiskFull(Exception e) => e is DiskFullException || e is IOException { HResult: 28 or 122 };

    /// <summary>The operating system's reason without the path .NET appends (" : '/x'").</summary>
    private static string Reason(IOException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" : '", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.').ToLowerInvariant();
    }
}
