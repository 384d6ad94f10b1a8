using System.Text;
using CodexSharp.Core;

namespace CodexSharp.Gguf;

/// <summary>One tensor as a GGUF file describes it: dimensions innermost first, ggml type id, offset in the data section.</summary>
public sealed record GgufTensorInfo(string Name, long[] Dims, uint Type, ulong Offset);

/// <summary>
/// What a GGUF file's header says: its metadata (scalars as .NET values, arrays as their length, string arrays in
/// full) and its tensors. Reading it checks that the file is GGUF and is not cut short, so that a wrong file gets
/// a message naming the problem before llama.cpp sees it.
/// </summary>
public sealed class GgufHeader
{
    private GgufHeader(string path, uint version, IReadOnlyDictionary<string, object> metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
    }

    public string Path { get; }

    public uint Version { get; }

    /// <summary>Scalars as uint/int/float/bool/string/ulong/long/double…; string arrays as string[]; other arrays as their element count (long).</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Where the tensor data starts.</summary>
    public long DataOffset { get; }

    /// <summary><c>general.architecture</c> (llama, qwen2, gpt2, …).</summary>
    public string Architecture => Metadata.TryGetValue("general.architecture", out var a) && a is string s ? s : "";

    /// <summary>A metadata string, or null.</summary>
    public string? String(string key) => Metadata.TryGetValue(key, out var v) ? v as string : null;

    /// <summary>Reads and checks the header of <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">Not a GGUF file, an unknown version, or shorter than its header says.</exception>
    public static GgufHeader Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        var length = stream.Length;
        try
        {
            if (length < 4 || !r.ReadBytes(4).AsSpan().SequenceEqual("GGUF"u8))
                throw new UserInputException($"{path}: not a GGUF file (it does not start with the bytes 'GGUF')");
            var version = r.ReadUInt32();
            if (version is < 2 or > 3) throw new UserInputException($"{path}: GGUF version {version} is not supported (expected 2 or 3)");
            var tensorCount = r.ReadUInt64();
            var kvCount = r.ReadUInt64();
            if (tensorCount > 1_000_000 || kvCount > 1_000_000) throw Truncated(path, "its counts are implausible");
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (ulong i = 0; i < kvCount; i++)
            {
                var key = ReadString(r, length);
                metadata[key] = ReadValue(r, r.ReadUInt32(), length, path);
            }
            var tensors = new List<GgufTensorInfo>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                var name = ReadString(r, length);
                var dimCount = r.ReadUInt32();
                if (dimCount > 8) throw Truncated(path, $"tensor {name} has {dimCount} dimensions");
                var dims = new long[dimCount];
                for (var d = 0; d < dimCount; d++) dims[d] = checked((long)r.ReadUInt64());
                tensors.Add(new GgufTensorInfo(name, dims, r.ReadUInt32(), r.ReadUInt64()));
            }
            var alignment = metadata.TryGetValue("general.alignment", out var a) && a is uint u && u > 0 ? u : GgufWriter.Alignment;
            var dataOffset = (stream.Position + alignment - 1) / alignment * alignment;
            foreach (var t in tensors)
            {
                var end = dataOffset + (long)t.Offset + MinimumBytes(t);
                if (end > length)
                    throw new UserInputException($"{path}: truncated GGUF file: tensor {t.Name} ends at byte {end} but the file has {length} bytes");
            }
            return new GgufHeader(path, version, metadata, tensors, dataOffset);
        }
        catch (EndOfStreamException)
        {
            throw Truncated(path, "the header ends early");
        }
    }

    /// <summary>Bytes a tensor needs at least (exact for f32, f16, bf16 and q8_0; other types are counted at one byte per two values, a lower bound).</summary>
    private static long MinimumBytes(GgufTensorInfo t)
    {
        var count = t.Dims.Aggregate(1L, (x, y) => x * y);
        return t.Type switch
        {
            0 => count * 4,
            1 or 30 => count * 2,
            8 => count / 32 * 34,
            _ => count / 2 / 4, // quantized types of at least 1 bit per value… plus their scales; only a sanity bound
        };
    }

    private static UserInputException Truncated(string path, string why) => new($"{path}: truncated or damaged GGUF file: {why}");

    private static string ReadString(BinaryReader r, long length)
    {
        var n = r.ReadUInt64();
        if (n > (ulong)(length - r.BaseStream.Position)) throw new EndOfStreamException();
        return Encoding.UTF8.GetString(r.ReadBytes((int)n));
    }

    private static object ReadValue(BinaryReader r, uint type, long length, string path) => type switch
    {
        0 => r.ReadByte(),
        1 => r.ReadSByte(),
        2 => r.ReadUInt16(),
        3 => r.ReadInt16(),
        4 => r.ReadUInt32(),
        5 => r.ReadInt32(),
        6 => r.ReadSingle(),
        7 => r.ReadByte() != 0,
        8 => ReadString(r, length),
        9 => ReadArray(r, length, path),
        10 => r.ReadUInt64(),
        11 => r.ReadInt64(),
        12 => r.ReadDouble(),
        _ => throw Truncated(path, $"unknown metadata value type {type}"),
    };

    private static object ReadArray(BinaryReader r, long length, string path)
    {
        var type = r.ReadUInt32();
        var count = r.ReadUInt64();
        if (count > (ulong)length) throw new EndOfStreamException();
        if (type == 8)
        {
            var strings = new string[count];
            for (ulong i = 0; i < count; i++) strings[i] = ReadString(r, length);
            return strings;
        }
        int size = type switch
        {
            0 or 1 or 7 => 1,
            2 or 3 => 2,
            4 or 5 or 6 => 4,
            10 or 11 or 12 => 8,
            _ => 0,
        };
        if (size == 0)
        {
            for (ulong i = 0; i < count; i++) ReadValue(r, type, length, path);
        }
        else
        {
            var bytes = checked((long)count * size);
            if (bytes > length - r.BaseStream.Position) throw new EndOfStreamException();
            r.BaseStream.Seek(bytes, SeekOrigin.Current);
        }
        return (long)count;
    }
}
