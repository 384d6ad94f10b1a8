using System.Runtime.InteropServices;

namespace CodexSharp.Core.Io;

/// <summary>What kind of file system entry a path names, following symlinks.</summary>
public enum FileKindValue
{
    /// <summary>Nothing is there.</summary>
    Missing,
    /// <summary>A regular file: the only kind a stage writes over or seeks in.</summary>
    Regular,
    /// <summary>A folder.</summary>
    Directory,
    /// <summary>A named pipe (FIFO); also what <c>&lt;(command)</c> gives.</summary>
    Pipe,
    /// <summary>A character device such as <c>/dev/null</c> or a terminal.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// Tells a regular file from a device, a pipe or a socket, which .NET's file APIs do not: all of them "exist"
/// as files there. Read with the C library's <c>stat</c>, which follows symlinks as opening the path would.
/// </summary>
public static partial class FileKind
{
    /// <summary>The kind of <paramref name="path"/> after following symlinks.</summary>
    public static FileKindValue Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return File.Exists(path) ? FileKindValue.Regular : Directory.Exists(path) ? FileKindValue.Directory : FileKindValue.Missing;
        // struct stat is 144 bytes on x86-64 and 128 on arm64; st_mode sits at offset 24 and 16.
        var buffer = new byte[256];
        if (Stat(path, buffer) != 0) return FileKindValue.Missing;
        var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        var mode = BitConverter.ToUInt32(buffer, modeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKindValue.Regular,
            0x4000 => FileKindValue.Directory,
            0x1000 => FileKindValue.Pipe,
            0x2000 => FileKindValue.CharacterDevice,
            0x6000 => FileKindValue.BlockDevice,
            0xC000 => FileKindValue.Socket,
            _ => FileKindValue.Regular,
        };
    }

    /// <summary>A phrase for a kind that is not a regular file, for messages ("a pipe", "a character device").</summary>
    public static string Describe(FileKindValue kind) => kind switch
    {
        FileKindValue.Pipe => "a pipe (FIFO)",
        FileKindValue.CharacterDevice => "a character device",
        FileKindValue.BlockDevice => "a block device",
        FileKindValue.Socket => "a socket",
        FileKindValue.Directory => "a folder",
        FileKindValue.Missing => "missing",
        _ => "a regular file",
    };

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, byte[] buffer);
}
