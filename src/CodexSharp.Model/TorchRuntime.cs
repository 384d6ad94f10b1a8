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
                    // libtorch's OpenMP threads spin while waiting by default; on a machine whose cores are shared
                    // (sandbox workers, other jobs) spinning threads steal the cores the work needs: a forward pass
                    // measured 7x slower under load. Passive waiting sleeps instead. Must precede loading libtorch
                    // (libgomp reads it once), and an explicit setting in the environment wins.
                    _ = SetEnvironment("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
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

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
