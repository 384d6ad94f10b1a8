using System.Text;

namespace CodexSharp.Gguf;

/// <summary>How a tensor's numbers are stored in a GGUF file (the values are ggml's type ids).</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
    /// <summary>Blocks of 32 values: one float16 scale, then 32 signed bytes (value ≈ scale · byte).</summary>
    Q8_0 = 8,
}

/// <summary>
/// Writes a GGUF file (version 3): the header, the metadata key–value pairs, the tensor descriptions, then each
/// tensor's data aligned to <see cref="Alignment"/> bytes. Everything is little-endian; a tensor's dimensions are
/// listed innermost first (ggml's ne[0] is the length of a row).
/// </summary>
public sealed class GgufWriter
{
    /// <summary>The default alignment of tensor data, which readers assume when general.alignment is absent.</summary>
    public const int Alignment = 32;

    private enum ValueType : uint
    {
        UInt32 = 4,
        Int32 = 5,
        Float32 = 6,
        Bool = 7,
        String = 8,
        Array = 9,
    }

    private readonly List<(string Key, Action<BinaryWriter> Write)> metadata = [];
    private readonly List<(string Name, long[] Dims, GgufTensorType Type, byte[] Data)> tensors = [];

    public void Add(string key, string value) => metadata.Add((key, w => { w.Write((uint)ValueType.String); WriteString(w, value); }));

    public void Add(string key, uint value) => metadata.Add((key, w => { w.Write((uint)ValueType.UInt32); w.Write(value); }));

    public void Add(string key, float value) => metadata.Add((key, w => { w.Write((uint)ValueType.Float32); w.Write(value); }));

    public void Add(string key, bool value) => metadata.Add((key, w => { w.Write((uint)ValueType.Bool); w.Write((byte)(value ? 1 : 0)); }));

    public void Add(string key, IReadOnlyList<string> values) => metadata.Add((key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.String);
        w.Write((ulong)values.Count);
        foreach (var value in values) WriteString(w, value);
    }));

    public void Add(string key, IReadOnlyList<int> values) => metadata.Add((key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.Int32);
        w.Write((ulong)values.Count);
        foreach (var value in values) w.Write(value);
    }));

    /// <summary>Adds a tensor given as float32 values in row-major order, stored as <paramref name="type"/>.</summary>
    /// <param name="dims">ggml order: the row length first.</param>
    public void AddTensor(string name, long[] dims, GgufTensorType type, ReadOnlySpan<float> values)
    {
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"tensor {name}: {values.Length} values for dimensions [{string.Join(", ", dims)}]");
        tensors.Add((name, dims, type, TensorEncoding.Encode(values, type, dims[0])));
    }

    /// <summary>Writes the file to a temporary name beside <paramref name="path"/> and moves it there when complete.</summary>
    public void Write(string path)
    {
        var temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write("GGUF"u8);
            w.Write(3u);
            w.Write((ulong)tensors.Count);
            w.Write((ulong)metadata.Count);
            foreach (var (key, write) in metadata)
            {
                WriteString(w, key);
                write(w);
            }
            ulong offset = 0;
            foreach (var (name, dims, type, data) in tensors)
            {
                WriteString(w, name);
                w.Write((uint)dims.Length);
                foreach (var d in dims) w.Write((ulong)d);
                w.Write((uint)type);
                w.Write(offset);
                offset = Align(offset + (ulong)data.Length);
            }
            Pad(w);
            foreach (var (_, _, _, data) in tensors)
            {
                w.Write(data);
                Pad(w);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        var position = (ulong)w.BaseStream.Position;
        for (var i = position; i < Align(position); i++) w.Write((byte)0);
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}

/// <summary>float32 values to the bytes of a stored GGUF tensor.</summary>
internal static class TensorEncoding
{
    public const int Q8BlockSize = 32;

    public static byte[] Encode(ReadOnlySpan<float> values, GgufTensorType type, long rowLength)
    {
        switch (type)
        {
            case GgufTensorType.F32:
            {
                var bytes = new byte[values.Length * 4];
                for (var i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
                return bytes;
            }
            case GgufTensorType.F16:
            {
                var bytes = new byte[values.Length * 2];
                for (var i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (Half)values[i]);
                return bytes;
            }
            case GgufTensorType.Q8_0:
            {
                if (rowLength % Q8BlockSize != 0) throw new ArgumentException($"q8_0 needs rows of a multiple of {Q8BlockSize} values, got {rowLength}");
                var blocks = values.Length / Q8BlockSize;
                var bytes = new byte[blocks * (2 + Q8BlockSize)];
                for (var b = 0; b < blocks; b++)
                {
                    var block = values.Slice(b * Q8BlockSize, Q8BlockSize);
                    var max = 0f;
                    foreach (var v in block) max = Math.Max(max, Math.Abs(v));
                    var scale = max / 127f;
                    var inverse = scale == 0 ? 0 : 1 / scale;
                    var at = b * (2 + Q8BlockSize);
                    BitConverter.TryWriteBytes(bytes.AsSpan(at), (Half)scale);
                    for (var i = 0; i < Q8BlockSize; i++) bytes[at + 2 + i] = unchecked((byte)(sbyte)MathF.Round(block[i] * inverse, MidpointRounding.AwayFromZero));
                }
                return bytes;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>The values a stored tensor holds (the inverse of <see cref="Encode"/>, up to its rounding).</summary>
    public static float[] Decode(ReadOnlySpan<byte> bytes, GgufTensorType type, long count)
    {
        var values = new float[count];
        switch (type)
        {
            case GgufTensorType.F32:
                for (var i = 0; i < count; i++) values[i] = BitConverter.ToSingle(bytes[(i * 4)..]);
                break;
            case GgufTensorType.F16:
                for (var i = 0; i < count; i++) values[i] = (float)BitConverter.ToHalf(bytes[(i * 2)..]);
                break;
            case GgufTensorType.Q8_0:
                for (var b = 0; b < count / Q8BlockSize; b++)
                {
                    var at = b * (2 + Q8BlockSize);
                    var scale = (float)BitConverter.ToHalf(bytes[at..]);
                    for (var i = 0; i < Q8BlockSize; i++) values[b * Q8BlockSize + i] = scale * (sbyte)bytes[at + 2 + i];
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
        return values;
    }
}
