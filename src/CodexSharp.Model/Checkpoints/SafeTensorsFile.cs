using System.Buffers.Binary;
using System.Text.Json;
using CodexSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Checkpoints;

/// <summary>
/// A safetensors file opened for reading. The header is parsed and checked up front; tensors are views into a
/// memory map of the file (one map per element type), so loading copies each weight once, straight into the model.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly Dictionary<string, Entry> entries;
    private readonly Dictionary<ScalarType, Tensor> maps = [];
    private readonly long dataStart;
    private readonly long fileLength;

    private sealed record Entry(ScalarType Type, int ElementSize, long[] Shape, long Begin, long End);

    private SafeTensorsFile(string path, Dictionary<string, Entry> entries, long dataStart, long fileLength, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        this.entries = entries;
        this.dataStart = dataStart;
        this.fileLength = fileLength;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyCollection<string> Names => entries.Keys;

    public long[] ShapeOf(string name) => entries[name].Shape;

    /// <summary>Reads and checks the header; throws <see cref="UserInputException"/> naming the file and the tensor.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: file not found");
        var fileLength = new FileInfo(path).Length;
        byte[] headerBytes;
        using (var stream = File.OpenRead(path))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            if (fileLength < 8 || stream.Read(lengthBytes) != 8) throw new UserInputException($"{path}: not a safetensors file (shorter than 8 bytes)");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > (ulong)(fileLength - 8) || headerLength > 100_000_000)
            {
                throw new UserInputException($"{path}: not a safetensors file (header length {headerLength} does not fit the file's {fileLength} bytes)");
            }
            headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
        }
        var dataStart = 8 + headerBytes.LongLength;
        var entries = new Dictionary<string, Entry>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.ToString();
                    continue;
                }
                entries[property.Name] = ParseEntry(path, property, fileLength - dataStart);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new UserInputException($"{path}: the JSON header is malformed: {e.Message}", e);
        }
        return new SafeTensorsFile(path, entries, dataStart, fileLength, metadata);
    }

    private static Entry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        UserInputException Bad(string field, string message) => new($"{path}: tensor '{property.Name}': field '{field}': {message}");
        var dtypeName = property.Value.GetProperty("dtype").GetString() ?? "";
        if (!SafeTensorsDType.TryParse(dtypeName, out var type, out var size))
        {
            throw Bad("dtype", $"'{dtypeName}' is not supported (expected one of {string.Join(", ", SafeTensorsDType.Names)})");
        }
        var shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
        {
            throw Bad("data_offsets", $"[{string.Join(", ", offsets)}] is outside the {dataLength} data bytes");
        }
        var expected = shape.Aggregate(1L, (a, b) => a * b) * size;
        if (shape.Any(d => d < 0) || offsets[1] - offsets[0] != expected)
        {
            throw Bad("shape", $"[{string.Join(", ", shape)}] of {dtypeName} needs {expected} bytes but data_offsets give {offsets[1] - offsets[0]}");
        }
        return new Entry(type, size, shape, offsets[0], offsets[1]);
    }

    /// <summary>
    /// The tensor <paramref name="name"/>: a read-only view into the memory-mapped file when its offset is aligned
    /// to its element size, else a copy. Dispose it when done; do not write to it.
    /// </summary>
    public Tensor Get(string name)
    {
        if (!entries.TryGetValue(name, out var entry)) throw new UserInputException($"{Path}: no tensor named '{name}'");
        var start = dataStart + entry.Begin;
        var count = (entry.End - entry.Begin) / entry.ElementSize;
        if (count == 0) return empty(entry.Shape, entry.Type);
        if (start % entry.ElementSize != 0) return ReadCopy(entry, start, count);
        if (!maps.TryGetValue(entry.Type, out var map))
        {
            // shared: false maps the file copy-on-write; nothing here writes to it.
            map = from_file(Path, shared: false, size: fileLength / entry.ElementSize, dtype: entry.Type).DetachFromDisposeScope();
            maps[entry.Type] = map;
        }
        using var flat = map.narrow(0, start / entry.ElementSize, count);
        return flat.view(entry.Shape);
    }

    private Tensor ReadCopy(Entry entry, long start, long count)
    {
        var bytes = new byte[entry.End - entry.Begin];
        using (var stream = File.OpenRead(Path))
        {
            stream.Position = start;
            stream.ReadExactly(bytes);
        }
        using var flat = frombuffer(bytes, entry.Type, count, 0);
        using var shaped = flat.view(entry.Shape);
        return shaped.clone();
    }

    public void Dispose()
    {
        foreach (var map in maps.Values) map.Dispose();
        maps.Clear();
    }
}
