using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CodexSharp.Model;

/// <summary>Process-wide settings libtorch needs here, applied once before the first model is built.</summary>
public static partial class TorchRuntime
{
    private const int TrimThresholdOption = -1; // M_TRIM_THRESHOLD in glibc's malloc.h
    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD
    internal const int MmapThresholdBytes = 32 << 20; // the largest glibc accepts on 64-bit
    internal const int TrimThresholdBytes = 64 << 20;
    private static readonly Lock Gate = new();
    private static bool initialized;

    /// <summary>
    /// Fixes glibc's allocator thresholds: blocks up to 32 MiB come from the heap and are reused, and up to 64 MiB
    /// of free heap is kept rather than returned. A step's activations and logits (6.4 MB for 32 rows of a 50k
    /// vocabulary) are then allocated from memory already touched. With a 128 KiB mmap threshold every such block
    /// is a fresh mapping, and each first touch of its pages traps to the hypervisor on these machines: 27–120x
    /// the page faults and a batch-32 sampling step 2.2–2.5x slower (bench/model allocator). Fixed values also stop
    /// glibc's sliding threshold from drifting; resident memory stays flat over 1,000 requests (bench/model memory).
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
                    SetMallocThresholds(MmapThresholdBytes, TrimThresholdBytes);
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

    /// <summary>Sets glibc's mmap and trim thresholds (the benchmark also sets other values to compare).</summary>
    internal static void SetMallocThresholds(int mmapBytes, int trimBytes)
    {
        _ = SetMallocOption(MmapThresholdOption, mmapBytes);
        _ = SetMallocOption(TrimThresholdOption, trimBytes);
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int SetMallocOption(int option, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
