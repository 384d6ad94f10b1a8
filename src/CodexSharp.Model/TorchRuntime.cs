using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CodexSharp.Model;

/// <summary>Process-wide settings libtorch needs here, applied once before the first model is built.</summary>
public static partial class TorchRuntime
{
    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD in glibc's malloc.h
    private const int MmapThresholdBytes = 131072;
    private static readonly Lock Gate = new();
    private static bool initialized;

    /// <summary>
    /// Fixes glibc's mmap threshold at 128 KiB (the same as MALLOC_MMAP_THRESHOLD_=131072): with the default
    /// sliding threshold, freed libtorch buffers stay in the heap and the process grows step after step.
    /// </summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (initialized) return;
            initialized = true;
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    _ = SetMallocOption(MmapThresholdOption, MmapThresholdBytes);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    // Not glibc (e.g. musl): its allocator has no such option and returns memory on its own.
                }
            }
            set_num_threads(Math.Max(1, Environment.ProcessorCount));
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int SetMallocOption(int option, int value);
}
