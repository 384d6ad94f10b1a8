using System.IO.Compression;
using System.Text;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

public sealed class JsonlFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_plain_and_gzip_alike_and_skips_blank_lines()
    {
        var text = "{\"a\":1}\n\n  \n{\"a\":2}\n";
        var plain = _dir.Write("x.jsonl", text);
        var gz = _dir.File("x.jsonl.gz");
        using (var file = File.Create(gz))
        using (var zip = new GZipStream(file, CompressionLevel.Fastest))
            zip.Write(Encoding.UTF8.GetBytes(text));
        foreach (var path in new[] { plain, gz })
        {
            var rows = JsonlFile.Read(path).ToList();
            Assert.Equal([1L, 4L], rows.Select(r => r.Line));
            Assert.Equal([1, 2], rows.Select(r => r.Object["a"]!.GetValue<int>()));
        }
    }

    [Fact]
    public void Malformed_line_names_file_and_line()
    {
        var path = _dir.Write("bad.jsonl", "{\"a\":1}\n{\"a\": oops}\n");
        var e = Assert.Throws<UserInputException>(() => JsonlFile.Read(path).ToList());
        Assert.StartsWith($"{path}:2: not valid JSON", e.Message);
    }

    [Fact]
    public void Non_object_line_is_rejected() =>
        Assert.Contains(":1: expected a JSON object, found an array",
            Assert.Throws<UserInputException>(() => JsonlFile.Read(_dir.Write("arr.jsonl", "[1,2]\n")).ToList()).Message);

    [Fact]
    public void Invalid_utf8_names_the_line()
    {
        var path = _dir.File("latin1.jsonl");
        File.WriteAllBytes(path, [.. "{\"a\":\"ok\"}\n{\"a\":\""u8, 0xE9, 0xFF, .. "\"}\n"u8]);
        var e = Assert.Throws<UserInputException>(() => JsonlFile.Read(path).ToList());
        Assert.Contains(":2: the bytes are not valid UTF-8", e.Message);
    }

    [Fact]
    public void Missing_file_is_a_user_error() =>
        Assert.Contains("no such file", Assert.Throws<UserInputException>(() => JsonlFile.Read(_dir.File("none.jsonl")).ToList()).Message);

    [Fact]
    public void Atomic_write_round_trips_non_ascii()
    {
        var path = _dir.File("out.jsonl");
        JsonlFile.WriteAllAtomic(path, [new System.Text.Json.Nodes.JsonObject { ["s"] = "héllo \"q\" \n" }]);
        Assert.Equal("{\"s\":\"héllo \\\"q\\\" \\n\"}\n", File.ReadAllText(path));
        Assert.Equal("héllo \"q\" \n", JsonlFile.Read(path).Single().Object["s"]!.GetValue<string>());
    }
}
