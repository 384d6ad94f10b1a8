using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CodexSharp.Core.Io;
using static TorchSharp.torch;

namespace CodexSharp.Model.Checkpoints;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and [begin, end) byte range, then the raw little-endian data with no gaps.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> (via a temporary file, then renamed).</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        // Larger elements first keeps every tensor aligned to its element size (the header is padded to 8).
        var ordered = tensors.OrderByDescending(t => SafeTensorsDType.SizeOf(t.Tensor.dtype)).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is not null) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var bytes = tensor.NumberOfElements * SafeTensorsDType.SizeOf(tensor.dtype);
            header[name] = new { dtype = SafeTensorsDType.NameOf(tensor.dtype), shape = tensor.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;

        AtomicFile.Write(path, stream =>
        {
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in ordered)
            {
                using var contiguous = tensor.detach().contiguous();
                contiguous.WriteBytesToStream(stream);
            }
        });
    }
}
