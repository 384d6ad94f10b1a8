using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// The element type a run computes in. bfloat16 (with float32 master weights) only where the CPU multiplies
/// bfloat16 natively (AVX-512 BF16 or AMX): elsewhere libtorch falls back to a path that measured 50–100x slower
/// than float32 here (bench/train), so <c>--bf16</c> then runs float32 and says so.
/// </summary>
public sealed record Precision(ScalarType Type, string Name, string? Note)
{
    public static Precision Resolve(bool bf16, bool force = false)
    {
        if (!bf16) return new Precision(ScalarType.Float32, "fp32", null);
        if (force || HasNativeBFloat16()) return new Precision(ScalarType.BFloat16, "bf16 (fp32 master weights)", null);
        return new Precision(ScalarType.Float32, "fp32",
            "--bf16: this CPU has no avx512_bf16 or amx_bf16 (see /proc/cpuinfo), where bfloat16 matrix multiplies are far slower than float32; training in float32");
    }

    /// <summary>True when /proc/cpuinfo lists avx512_bf16 or amx_bf16.</summary>
    public static bool HasNativeBFloat16()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var flags = line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries);
                return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return false;
    }
}
