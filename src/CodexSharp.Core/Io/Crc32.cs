namespace CodexSharp.Core.Io;

/// <summary>The CRC-32 of gzip and zip (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The running value before any byte.</summary>
    public const uint Initial = 0xFFFFFFFF;

    /// <summary>Folds <paramref name="bytes"/> into a running value.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC of everything folded in so far.</summary>
    public static uint Final(uint crc) => crc ^ 0xFFFFFFFF;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
