using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using CodexSharp.Core;
using CodexSharp.Testing;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>The .py members of .deb packages and tar archives are read in managed code, in archive order.</summary>
public sealed class CorpusArchiveTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _tree;

    private static readonly Dictionary<string, string> Files = new()
    {
        ["usr/lib/python3/dist-packages/toy/__init__.py"] = "from .core import run\n",
        ["usr/lib/python3/dist-packages/toy/core.py"] = CorpusFixtures.Module("run"),
        ["usr/share/doc/toy/README"] = "not python\n",
    };

    public CorpusArchiveTests()
    {
        _tree = CorpusFixtures.Folder(_dir, "tree", Files.Select(f => (f.Key, f.Value)));
    }

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> PythonMembers(string archive)
    {
        var tally = PythonSources.Inspect([archive]).Single();
        var files = PythonSources.Read(0, tally, 1_000_000).ToList();
        Assert.Equal(files.Count, tally.FilesSeen);
        Assert.Equal(64, tally.Sha256.Length);
        return files.ToDictionary(f => f.Path[(archive.Length + 1)..], f => System.Text.Encoding.UTF8.GetString(f.Bytes!));
    }

    private static Dictionary<string, string> Expected => Files.Where(f => f.Key.EndsWith(".py")).ToDictionary();

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
    }

    private string Tar(string name, Func<Stream, Stream> compress)
    {
        var path = _dir.File(name);
        using (var file = File.Create(path))
        using (var compressed = compress(file))
        {
            TarFile.CreateFromDirectory(_tree, compressed, includeBaseDirectory: false);
        }
        return path;
    }

    [Fact]
    public void Tar_archives_plain_gzip_zstd_and_xz()
    {
        Assert.Equal(Expected, PythonMembers(Tar("toy.tar", s => new KeepOpen(s))));
        Assert.Equal(Expected, PythonMembers(Tar("toy.tar.gz", s => new GZipStream(s, CompressionLevel.Fastest))));
        Assert.Equal(Expected, PythonMembers(Tar("toy.tar.zst", s => new ZstdSharp.CompressionStream(s))));
        var xz = Tar("toy-xz.tar", s => new KeepOpen(s));
        Run("xz", "-z", "-k", "-T1", xz);
        Assert.Equal(Expected, PythonMembers(xz + ".xz"));
    }

    [Theory]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("gzip")]
    public void Debian_packages_built_by_dpkg_deb(string compression)
    {
        var package = _dir.File($"pkg-{compression}");
        foreach (var (name, text) in Files) CorpusFixtures.Folder(_dir, $"pkg-{compression}", [(name, text)]);
        CorpusFixtures.Folder(_dir, $"pkg-{compression}", [("DEBIAN/control",
            "Package: python3-toy\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Nobody <nobody@example.org>\nDescription: a toy package\n")]);
        var deb = _dir.File($"python3-toy_{compression}.deb");
        Run("dpkg-deb", "--root-owner-group", $"-Z{compression}", "--build", package, deb);
        Assert.Equal(Expected, PythonMembers(deb));
    }

    [Fact]
    public void A_deb_that_is_not_an_ar_archive_and_a_tar_gz_that_is_not_gzip_are_refused_by_name()
    {
        var fakeDeb = _dir.Write("fake.deb", "<html>404 Not Found</html>\n");
        Assert.Contains("not a Debian package", Assert.Throws<UserInputException>(() => PythonSources.Inspect([fakeDeb])).Message);
        var plainTar = Tar("plain.tar.gz", s => new KeepOpen(s));
        var error = Assert.Throws<UserInputException>(() => PythonMembers(plainTar));
        Assert.Contains("its name says gzip compression, but its bytes are not compressed", error.Message);
        var cut = Tar("cut.tar.gz", s => new GZipStream(s, CompressionLevel.Fastest));
        File.WriteAllBytes(cut, File.ReadAllBytes(cut)[..40]);
        Assert.Contains("cannot read it as a tar archive", Assert.Throws<UserInputException>(() => PythonMembers(cut)).Message);
    }

    /// <summary>Lets TarFile dispose what it wrote to without closing the file under it.</summary>
    private sealed class KeepOpen(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
