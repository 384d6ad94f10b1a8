using System.Net;
using System.Security.Cryptography;
using CodexSharp.Core.Datasets;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>The download path against a real HTTP server on 127.0.0.1.</summary>
public sealed class DatasetCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HttpListener _server = new();
    private readonly string _base;
    private readonly byte[] _real = File.ReadAllBytes(TestPaths.HumanEval);
    private byte[] _served;
    private int _requests;

    public DatasetCacheTests()
    {
        _served = _real;
        var port = FreePort();
        _base = $"http://127.0.0.1:{port}/";
        _server.Prefixes.Add(_base);
        _server.Start();
        _ = ServeAsync();
    }

    public void Dispose()
    {
        _server.Close();
        _dir.Dispose();
    }

    private DatasetEntry Entry => new("humaneval", "HumanEval.jsonl.gz", new Uri(_base + "data/HumanEval.jsonl.gz"),
        Convert.ToHexStringLower(SHA256.HashData(_real)), "test");

    [Fact]
    public async Task Downloads_verifies_caches_and_then_works_offline()
    {
        using var http = new HttpClient();
        var cache = new DatasetCache(_dir.File("cache"), http);
        var path = await cache.GetAsync(Entry);
        Assert.Equal(_real, File.ReadAllBytes(path));
        Assert.Equal(164, Problems.ProblemSet.Load(path).Count);

        _server.Stop();
        Assert.Equal(path, await cache.GetAsync(Entry));
        Assert.Equal(1, _requests);
    }

    [Fact]
    public async Task Corrupted_download_is_rejected_and_not_kept()
    {
        _served = [.. _real];
        _served[^10] ^= 0xFF;
        using var http = new HttpClient();
        var cache = new DatasetCache(_dir.File("cache"), http);
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() => cache.GetAsync(Entry));
        Assert.Contains("SHA-256", e.Message);
        Assert.Empty(Directory.EnumerateFiles(_dir.File("cache"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Damaged_cached_copy_is_fetched_again()
    {
        using var http = new HttpClient();
        var cache = new DatasetCache(_dir.File("cache"), http);
        var path = await cache.GetAsync(Entry);
        File.WriteAllText(path, "damaged");
        Assert.Equal(_real, File.ReadAllBytes(await cache.GetAsync(Entry)));
        Assert.Equal(2, _requests);
    }

    [Fact]
    public async Task Http_error_and_unreachable_server_give_clear_messages()
    {
        using var http = new HttpClient();
        var missing = Entry with { Url = new Uri(_base + "nothing-here") };
        Assert.Contains("HTTP 404", (await Assert.ThrowsAsync<DatasetDownloadException>(() => new DatasetCache(_dir.File("a"), http).GetAsync(missing))).Message);

        var closed = Entry with { Url = new Uri($"http://127.0.0.1:{FreePort()}/x.gz") };
        Assert.Contains("--problems FILE", (await Assert.ThrowsAsync<DatasetDownloadException>(() => new DatasetCache(_dir.File("b"), http).GetAsync(closed))).Message);
    }

    [Fact]
    public async Task A_mirror_replaces_the_published_address()
    {
        using var http = new HttpClient();
        var elsewhere = Entry with { Url = new Uri("http://127.0.0.1:9/unreachable.gz") };
        var path = await new DatasetCache(_dir.File("cache"), http, mirror: _base + "data").GetAsync(elsewhere);
        Assert.Equal(_real, File.ReadAllBytes(path));
    }

    [Fact]
    public void Catalog_pins_the_published_HumanEval_checksum()
    {
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_real)), DatasetCatalog.Find("HumanEval").Sha256);
        Assert.Throws<UserInputException>(() => DatasetCatalog.Find("nope"));
    }

    private async Task ServeAsync()
    {
        while (_server.IsListening)
        {
            HttpListenerContext context;
            try { context = await _server.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref _requests);
            if (context.Request.Url!.AbsolutePath.EndsWith("HumanEval.jsonl.gz", StringComparison.Ordinal))
            {
                context.Response.ContentType = "application/gzip";
                await context.Response.OutputStream.WriteAsync(_served);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
