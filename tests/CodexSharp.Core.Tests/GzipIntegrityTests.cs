using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>A gzip file cut short is an error naming the file, never a shorter list of rows.</summary>
public sealed class GzipIntegrityTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Gzip(string text)
    {
        var memory = new MemoryStream();
        using (var zip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(text));
        return memory.ToArray();
    }

    private static string Rows(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{{\"task_id\":\"T/{i}\",\"completion\":\"    return {i * 7919 % 1013}\\n\"}}\n"));

    public static TheoryData<string> Cuts => ["half", "trailer", "last-4-bytes", "header"];

    [Theory]
    [MemberData(nameof(Cuts))]
    public void A_truncated_gzip_file_is_an_error_that_names_it(string cut)
    {
        var whole = Gzip(Rows(20_000));
        var length = cut switch { "half" => whole.Length / 2, "trailer" => whole.Length - 8, "last-4-bytes" => whole.Length - 4, _ => 6 };
        var path = _dir.File($"cut-{cut}.jsonl.gz");
        File.WriteAllBytes(path, whole[..length]);
        var error = Assert.Throws<UserInputException>(() => JsonlFile.Read(path).Count());
        Assert.StartsWith(path + ": the gzip data is damaged or incomplete", error.Message);
        Assert.Throws<UserInputException>(() => SampleFile.Read(path));
    }

    [Fact]
    public void A_truncated_problems_file_is_an_error_too()
    {
        var problems = string.Concat(Enumerable.Range(0, 300).Select(i => Fixtures.AddProblem($"Toy/{i}").ToJsonString() + "\n"));
        var whole = Gzip(problems);
        var path = _dir.File("problems.jsonl.gz");
        File.WriteAllBytes(path, whole[..^8]);
        var error = Assert.Throws<UserInputException>(() => ProblemSet.Load(path));
        Assert.Contains("problems.jsonl.gz", error.Message);
    }

    [Fact]
    public void Concatenated_gzip_members_are_read_whole()
    {
        var path = _dir.File("two.jsonl.gz");
        File.WriteAllBytes(path, [.. Gzip(Rows(3000)), .. Gzip(Rows(5))]);
        Assert.Equal(3005, JsonlFile.Read(path).Count());

        File.WriteAllBytes(path, [.. Gzip(Rows(3000)), .. Gzip(Rows(5))[..^8]]);
        Assert.Throws<UserInputException>(() => JsonlFile.Read(path).Count());
    }

    [Fact]
    public void A_corrupted_trailer_is_an_error()
    {
        var whole = Gzip(Rows(100));
        whole[^6] ^= 0xFF; // a CRC byte
        var path = _dir.File("crc.jsonl.gz");
        File.WriteAllBytes(path, whole);
        var error = Assert.Throws<UserInputException>(() => JsonlFile.Read(path).Count());
        Assert.StartsWith(path + ": the gzip data is damaged or incomplete", error.Message);
    }

    [Fact]
    public void A_gz_name_is_written_compressed_and_reads_back()
    {
        var path = _dir.File("out.jsonl.gz");
        JsonlFile.WriteAllAtomic(path, Enumerable.Range(0, 50).Select(i => (JsonNode)new JsonObject { ["i"] = i }));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x1f, 0x8b], bytes[..2]);
        Assert.Equal(Enumerable.Range(0, 50), JsonlFile.Read(path).Select(r => r.Object["i"]!.GetValue<int>()));

        var plain = _dir.File("out.jsonl");
        JsonlFile.WriteAllAtomic(plain, [new JsonObject { ["i"] = 1 }]);
        Assert.Equal("{\"i\":1}\n", File.ReadAllText(plain));
    }
}
