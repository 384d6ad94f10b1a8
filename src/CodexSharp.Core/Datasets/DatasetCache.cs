using System.Security.Cryptography;

namespace CodexSharp.Core.Datasets;

/// <summary>
/// Downloads catalog files once into a cache folder, checks their SHA-256, and serves them offline after
/// that. A download whose bytes do not match is deleted and reported; a cached file is re-checked on use.
/// With <paramref name="useWorkspaceCopies"/> (the command line's cache), a file missing from the cache is first
/// looked for in the workspace's shared data sets (<see cref="WorkspaceCopy"/>), then downloaded.
/// </summary>
public sealed class DatasetCache(string directory, HttpClient http, string? mirror = null, bool useWorkspaceCopies = false)
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

    /// <summary>
    /// A base address that replaces each entry's own (the file name is appended): $CODEXSHARP_DATASET_MIRROR.
    /// An http(s) address, or a local folder as <c>file:///path</c> or an absolute path.
    /// </summary>
    public static string? DefaultMirror() => Environment.GetEnvironmentVariable("CODEXSHARP_DATASET_MIRROR") is { Length: > 0 } m ? m : null;

    /// <summary>The cache the command line uses: <see cref="DefaultDirectory"/> and <see cref="DefaultMirror"/>.</summary>
    public static DatasetCache Default(HttpClient http) => new(DefaultDirectory(), http, DefaultMirror(), useWorkspaceCopies: true);

    public string Directory { get; } = directory;

    /// <summary>Where <paramref name="entry"/> lives in the cache.</summary>
    public string PathOf(DatasetEntry entry) => PathIn(Directory, entry);

    /// <summary>Where <paramref name="entry"/> lives in the cache folder <paramref name="directory"/>: <c>DIR/SHA256[..12]/FILE</c>.</summary>
    public static string PathIn(string directory, DatasetEntry entry) => Path.Combine(directory, entry.Sha256[..12], entry.FileName);

    /// <summary>
    /// Puts a local copy of <paramref name="entry"/> into the cache, for machines without network: the file's
    /// SHA-256 must be the catalog's, and it is copied in atomically (a crash leaves no half file).
    /// </summary>
    /// <returns>The cached path, where <see cref="GetAsync"/> finds it from now on.</returns>
    /// <exception cref="UserInputException">The file is missing or is not the published file.</exception>
    public async Task<string> AddAsync(DatasetEntry entry, string file, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(file)) throw new UserInputException($"{file}: no such file.");
        var actual = await HashAsync(file, cancellationToken);
        if (actual != entry.Sha256)
            throw new UserInputException($"{file}: its SHA-256 is {actual}, but {entry.Name} ({entry.FileName} as published at {entry.Url}) has {entry.Sha256}; is it the right file, still compressed?");
        var path = PathOf(entry);
        Io.OutputFiles.CreateParentDirectory(path);
        Io.OutputFiles.Guard(path, () => Io.AtomicFile.Write(path, target =>
        {
            using var source = File.OpenRead(file);
            source.CopyTo(target);
        }));
        return path;
    }

    /// <summary>The local path of <paramref name="entry"/>, downloading it first if it is not cached.</summary>
    /// <exception cref="DatasetDownloadException">The download failed or its checksum is wrong.</exception>
    public async Task<string> GetAsync(DatasetEntry entry, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(entry);
        if (File.Exists(path))
        {
            if (await HashAsync(path, cancellationToken) == entry.Sha256) return path;
            log?.Report($"{path}: cached copy is damaged; downloading again.");
            File.Delete(path);
        }
        var url = mirror is not null ? MirrorAddress(mirror, entry.FileName)
            : useWorkspaceCopies && WorkspaceCopy(entry) is { } local ? new Uri(local) : entry.Url;
        if (!url.IsFile) log?.Report($"downloading {entry.Name} from {url}");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + $".{Environment.ProcessId}.download";
        try
        {
            if (url.IsFile)
            {
                if (!File.Exists(url.LocalPath))
                    throw new DatasetDownloadException($"the mirror folder has no {entry.FileName} ({url.LocalPath}); put the file there, or add it with `codexsharp datasets add {entry.Name} FILE`.");
                log?.Report($"{entry.Name}: copying {url.LocalPath}");
                if (IsCompressedCopy(entry, url.LocalPath))
                {
                    // A gzip-compressed copy of a file published uncompressed: the published bytes are what is checked and cached.
                    await using var source = new System.IO.Compression.GZipStream(File.OpenRead(url.LocalPath), System.IO.Compression.CompressionMode.Decompress);
                    await using var file = File.Create(temp);
                    await source.CopyToAsync(file, cancellationToken);
                }
                else
                {
                    File.Copy(url.LocalPath, temp, overwrite: true);
                }
            }
            else
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
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
            throw new DatasetDownloadException($"cannot download {entry.Name} from {url}: {e.Message} (offline? put a copy in the cache with `codexsharp datasets add {entry.Name} FILE`, or pass --problems FILE).");
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// A copy of the file in the workspace's shared data sets, so that a machine without a network needs no
    /// download: a file of the entry's name (or that name plus <c>.gz</c>, a gzip-compressed copy of a file
    /// published uncompressed) in a sub-folder of <c>shared/datasets</c> found walking up from the program's
    /// folder (or of <c>$CODEXSHARP_SHARED_DATASETS</c>). Its SHA-256 is checked like a download's, on the
    /// published (uncompressed) bytes.
    /// </summary>
    public static string? WorkspaceCopy(DatasetEntry entry)
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("CODEXSHARP_SHARED_DATASETS") is { Length: > 0 } set) roots.Add(set);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            roots.Add(Path.Combine(dir.FullName, "shared", "datasets"));
        foreach (var root in roots.Where(System.IO.Directory.Exists))
        {
            foreach (var folder in System.IO.Directory.EnumerateDirectories(root).Prepend(root))
            {
                foreach (var name in entry.FileName.EndsWith(".gz", StringComparison.Ordinal) ? [entry.FileName] : new[] { entry.FileName, entry.FileName + ".gz" })
                {
                    var candidate = Path.Combine(folder, name);
                    if (File.Exists(candidate)) return Path.GetFullPath(candidate);
                }
            }
        }
        return null;
    }

    private static bool IsCompressedCopy(DatasetEntry entry, string path) =>
        !entry.FileName.EndsWith(".gz", StringComparison.Ordinal) && path.EndsWith(".gz", StringComparison.Ordinal);

    /// <summary>The mirror's address for a file: http(s), file:// or an absolute folder path.</summary>
    /// <exception cref="DatasetDownloadException">The mirror is neither.</exception>
    private static Uri MirrorAddress(string mirror, string fileName)
    {
        var combined = mirror.TrimEnd('/') + "/" + fileName;
        if (Path.IsPathRooted(mirror)) return new Uri(Path.GetFullPath(combined));
        if (Uri.TryCreate(combined, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file") return uri;
        throw new DatasetDownloadException($"CODEXSHARP_DATASET_MIRROR='{mirror}' is not an http(s):// or file:// address or an absolute folder path.");
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}

/// <summary>A data set could not be fetched or did not match its checksum (exit code 1: the run failed).</summary>
public sealed class DatasetDownloadException(string message) : Exception(message);
