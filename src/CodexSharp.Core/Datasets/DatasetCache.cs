using System.Security.Cryptography;

namespace CodexSharp.Core.Datasets;

/// <summary>
/// Downloads catalog files once into a cache folder, checks their SHA-256, and serves them offline after
/// that. A download whose bytes do not match is deleted and reported; a cached file is re-checked on use.
/// </summary>
public sealed class DatasetCache(string directory, HttpClient http, string? mirror = null)
{
    /// <summary>The cache folder: $CODEXSHARP_CACHE_DIR, else $XDG_CACHE_HOME/codexsharp, else ~/.cache/codexsharp.</summary>
    public static string DefaultDirectory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("CODEXSHARP_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "codexsharp");
    }

    /// <summary>A base address that replaces each entry's own (the file name is appended): $CODEXSHARP_DATASET_MIRROR.</summary>
    public static string? DefaultMirror() => Environment.GetEnvironmentVariable("CODEXSHARP_DATASET_MIRROR") is { Length: > 0 } m ? m : null;

    /// <summary>The cache the command line uses: <see cref="DefaultDirectory"/> and <see cref="DefaultMirror"/>.</summary>
    public static DatasetCache Default(HttpClient http) => new(DefaultDirectory(), http, DefaultMirror());

    public string Directory { get; } = directory;

    /// <summary>The local path of <paramref name="entry"/>, downloading it first if it is not cached.</summary>
    /// <exception cref="DatasetDownloadException">The download failed or its checksum is wrong.</exception>
    public async Task<string> GetAsync(DatasetEntry entry, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(Directory, entry.Sha256[..12], entry.FileName);
        if (File.Exists(path))
        {
            if (await HashAsync(path, cancellationToken) == entry.Sha256) return path;
            log?.Report($"{path}: cached copy is damaged; downloading again.");
            File.Delete(path);
        }
        var url = mirror is null ? entry.Url : new Uri(mirror.TrimEnd('/') + "/" + entry.FileName);
        log?.Report($"downloading {entry.Name} from {url}");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + $".{Environment.ProcessId}.download";
        try
        {
            using (var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                    throw new DatasetDownloadException($"downloading {entry.Name} from {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var file = File.Create(temp);
                await body.CopyToAsync(file, cancellationToken);
            }
            var actual = await HashAsync(temp, cancellationToken);
            if (actual != entry.Sha256)
                throw new DatasetDownloadException($"downloaded {entry.Name} from {url}, but its SHA-256 is {actual}, not {entry.Sha256}; the file was rejected.");
            File.Move(temp, path, overwrite: true);
            return path;
        }
        catch (HttpRequestException e)
        {
            throw new DatasetDownloadException($"cannot download {entry.Name} from {url}: {e.Message} (offline? pass a local file with --problems FILE).");
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}

/// <summary>A data set could not be fetched or did not match its checksum (exit code 1: the run failed).</summary>
public sealed class DatasetDownloadException(string message) : Exception(message);
