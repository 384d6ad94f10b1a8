using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>Putting a data set into the cache without network: `datasets add`, and a file:// mirror.</summary>
public sealed class DatasetsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A cache of our own and a mirror nobody answers on: any attempt to download fails.</summary>
    private Dictionary<string, string?> Offline() => new()
    {
        ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache"),
        ["CODEXSHARP_DATASET_MIRROR"] = "http://127.0.0.1:9/",
    };

    [Fact]
    public async Task Datasets_add_checks_the_file_and_then_dataset_works_offline()
    {
        var samples = Fixtures.WriteJsonl(_dir.File("one.jsonl"),
            [Fixtures.Sample("HumanEval/0", "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n")]);
        string[] evaluate = ["evaluate", samples, "--dataset", "humaneval", "--k", "1"];

        var before = await CodexSharpProcess.RunAsync(evaluate, environment: Offline());
        Assert.True(before.ExitCode == 1, before.ToString());
        Assert.Contains("datasets add humaneval", before.StandardError);

        var added = await CodexSharpProcess.RunAsync(["datasets", "add", "humaneval", TestPaths.HumanEval], environment: Offline());
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("SHA-256 matches", added.StandardOutput);
        Assert.Single(Directory.GetFiles(_dir.File("cache"), "HumanEval.jsonl.gz", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_dir.File("cache"), "*.tmp", SearchOption.AllDirectories));

        var after = await CodexSharpProcess.RunAsync(evaluate, environment: Offline());
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("1 passed", after.StandardOutput);
    }

    [Fact]
    public async Task Datasets_add_refuses_a_file_that_is_not_the_published_one()
    {
        var wrong = Fixtures.WriteJsonl(_dir.File("HumanEval.jsonl"), [Fixtures.AddProblem("HumanEval/0")]);
        var run = await CodexSharpProcess.RunAsync(["datasets", "add", "humaneval", wrong], environment: Offline());
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("HumanEval.jsonl: its SHA-256 is", run.StandardError);
        Assert.False(Directory.Exists(_dir.File("cache")) && Directory.GetFiles(_dir.File("cache"), "*", SearchOption.AllDirectories).Length > 0);
    }

    [Fact]
    public async Task A_file_mirror_serves_the_data_set()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache"),
            ["CODEXSHARP_DATASET_MIRROR"] = new Uri(Path.GetDirectoryName(TestPaths.HumanEval)!).AbsoluteUri, // file:///...
        };
        var run = await CodexSharpProcess.RunAsync(["datasets", "fetch", "humaneval"], environment: environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Directory.GetFiles(_dir.File("cache"), "HumanEval.jsonl.gz", SearchOption.AllDirectories));

        environment["CODEXSHARP_DATASET_MIRROR"] = new Uri(_dir.Path).AbsoluteUri;
        environment["CODEXSHARP_CACHE_DIR"] = _dir.File("cache2");
        var missing = await CodexSharpProcess.RunAsync(["datasets", "fetch", "humaneval"], environment: environment);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("the mirror folder has no HumanEval.jsonl.gz", missing.StandardError);
        Assert.DoesNotContain("   at ", missing.All);
    }

    [Fact]
    public async Task A_copy_in_the_workspace_shared_datasets_is_used_without_a_network()
    {
        var shared = Directory.CreateDirectory(_dir.File("shared/datasets/humaneval")).FullName;
        var copy = Path.Combine(shared, "HumanEval.jsonl.gz");
        var environment = new Dictionary<string, string?>
        {
            ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache"),
            ["CODEXSHARP_DATASET_MIRROR"] = "",
            ["CODEXSHARP_SHARED_DATASETS"] = _dir.File("shared/datasets"),
        };
        // A file of that name that is not the published one is read, checked and refused.
        File.WriteAllText(copy, "not the data set");
        var wrong = await CodexSharpProcess.RunAsync(["datasets", "fetch", "humaneval"], environment: environment);
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains($"{new Uri(copy)}, but its SHA-256 is", wrong.StandardError);

        File.Copy(TestPaths.HumanEval, copy, overwrite: true);
        var run = await CodexSharpProcess.RunAsync(["datasets", "fetch", "humaneval"], environment: environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Directory.GetFiles(_dir.File("cache"), "HumanEval.jsonl.gz", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_gzip_compressed_workspace_copy_of_a_file_published_plain_is_checked_on_its_published_bytes()
    {
        var shared = Directory.CreateDirectory(_dir.File("shared/datasets/mbpp")).FullName;
        var copy = Path.Combine(shared, "mbpp.jsonl.gz");
        var environment = new Dictionary<string, string?>
        {
            ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache"),
            ["CODEXSHARP_DATASET_MIRROR"] = "",
            ["CODEXSHARP_SHARED_DATASETS"] = _dir.File("shared/datasets"),
        };
        File.Copy(Path.Combine(TestPaths.SharedDatasets, "mbpp", "mbpp.jsonl.gz"), copy);
        var run = await CodexSharpProcess.RunAsync(["datasets", "fetch", "mbpp"], environment: environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        var cached = Assert.Single(Directory.GetFiles(_dir.File("cache"), "mbpp.jsonl", SearchOption.AllDirectories));
        Assert.Equal(Core.Datasets.DatasetCatalog.Find("mbpp").Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(cached))));
    }

    [Fact]
    public async Task Datasets_list_names_every_benchmark_with_its_pinned_file_or_its_local_layout()
    {
        var run = await CodexSharpProcess.RunAsync(["datasets", "list"], environment: Offline());
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var name in new[] { "humaneval", "humanevalplus", "mbpp", "mbpp-sanitized", "mbppplus", "humaneval-cs", "apps" })
            Assert.Contains($"│ {name} ", run.StandardOutput);
        Assert.Contains("b796127e635a", run.StandardOutput);
        Assert.Contains("--problems (local copy)", run.StandardOutput);
    }
}
