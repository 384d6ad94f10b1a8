using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Metrics;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// APPS (Hendrycks et al. 2021) from its on-disk layout: a folder of problem folders, each with
/// <c>question.txt</c>, <c>input_output.json</c> and optionally <c>starter_code.py</c>, <c>solutions.json</c>,
/// <c>metadata.json</c>. The prompt is APPS's (and the Codex paper's, §3.5): <c>"\nQUESTION:\n" + question +
/// ["\n" + starter code] + "\nUse Standard Input format" | "\nUse Call-Based format" + "\nANSWER:\n"</c>; the
/// completion is the whole program. A sample's program runs once, in one sandboxed process, against all of its
/// problem's test cases, judged as APPS's testing_util judges them, by default in another process
/// (<see cref="AppsJudge"/>). Besides raw pass@k it reports the paper's filtered pass@k: samples that pass the
/// public tests (the statement's examples) are kept, at most k of them, and a problem is solved when one of those
/// passes every test. Task ids are <c>APPS/&lt;folder name&gt;</c>.
/// </summary>
public sealed partial class AppsBenchmark : Benchmark
{
    public static AppsBenchmark Instance { get; } = new();

    /// <summary>The per-sample flag of a sample that passed every public test.</summary>
    public const string PublicPassedFlag = "public_passed";

    public override string Name => "apps";

    public override string Description => "APPS (Hendrycks et al. 2021) from a local copy: stdin/stdout and call-based problems, raw and filtered pass@k";

    public override string LayoutDescription => "an APPS folder: one folder per problem with question.txt, input_output.json and optional starter_code.py, solutions.json, metadata.json";

    /// <summary>A completion is a whole program, so none of the paper's HumanEval stops; it ends where the model starts another problem.</summary>
    public override IReadOnlyList<string> StopSequences { get; } = ["\nQUESTION:", "\nANSWER:"];

    public override string MainColumn => "raw pass@k";

    public override bool LooksLikeItsTaskId(string taskId) => TaskIdForm().IsMatch(taskId);

    public override ProblemSet Load(string path)
    {
        if (File.Exists(path)) throw new UserInputException($"{path}: APPS problems are {LayoutDescription}, not a file.");
        if (!Directory.Exists(path)) throw new UserInputException($"{path}: no such folder ({LayoutDescription}).");
        var folders = File.Exists(Path.Combine(path, "question.txt"))
            ? [path]
            : Directory.GetDirectories(path).Order(StringComparer.Ordinal).ToArray();
        if (folders.Length == 0) throw new UserInputException($"{path}: holds no problem folders; expected {LayoutDescription}.");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var problems = folders.Select(folder => LoadProblem(folder, hash)).ToList();
        return ProblemSet.Create(path, problems, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>APPS's prompt for a problem (generate_gpt_codes.py).</summary>
    public static string PromptFor(string question, string? starterCode, bool callBased) =>
        string.Concat("\nQUESTION:\n", question, string.IsNullOrEmpty(starterCode) ? "" : "\n" + starterCode,
            callBased ? "\nUse Call-Based format" : "\nUse Standard Input format", "\nANSWER:\n");

    public override Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken) =>
        Task.FromResult<IJudge>(new AppsJudge(run.Runner, run.TestsInSampleProcess));

    public override IReadOnlyList<string> FlagNames => [PublicPassedFlag];

    /// <summary>
    /// Filtered pass@k (Codex paper §3.6): of a problem's n samples, the f that pass its public tests are kept;
    /// k of them are chosen, and the problem is solved when one of the chosen passes every test. With c of
    /// the f passing everything that is <c>1 − C(f−c, k)/C(f, k)</c> when f ≥ k, and "c &gt; 0" when fewer than k
    /// pass the public tests (all of them are kept); 0 when none does.
    /// </summary>
    public override IReadOnlyDictionary<string, PassAtKColumn> ExtraColumns(IReadOnlyList<TaskJudgements> tasks, IReadOnlyList<int> ks)
    {
        var estimates = new Dictionary<string, PassAtKEstimate>();
        var skipped = new List<string>();
        if (tasks.Count == 0) return new Dictionary<string, PassAtKColumn>();
        var fewest = tasks.Min(t => t.Samples.Count);
        foreach (var k in ks.Distinct().Order())
        {
            if (k > fewest)
            {
                skipped.Add($"filtered pass@{k}: some problems have fewer than {k} samples");
                continue;
            }
            var perProblem = tasks.Select(t => FilteredPassAtK(
                t.Samples.Count(s => s.Flag(PublicPassedFlag)),
                t.Samples.Count(s => s.Flag(PublicPassedFlag) && s.Result.Passed), k)).ToArray();
            estimates[$"pass@{k}"] = new PassAtKEstimate(perProblem.Average(), BootstrapInterval.OfMean(perProblem), perProblem.Length);
        }
        return new Dictionary<string, PassAtKColumn> { ["filtered pass@k"] = new(estimates, skipped) };
    }

    /// <summary>Filtered pass@k of one problem: <paramref name="kept"/> samples passed its public tests, <paramref name="passed"/> of them every test.</summary>
    public static double FilteredPassAtK(int kept, int passed, int k) =>
        kept == 0 ? 0 : kept <= k ? (passed > 0 ? 1 : 0) : PassAtK.Estimate(kept, passed, k);

    private static Problem LoadProblem(string folder, IncrementalHash hash)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
        var question = ReadText(folder, "question.txt", hash, required: true)!;
        var starter = ReadText(folder, "starter_code.py", hash, required: false);
        var testsPath = Path.Combine(folder, "input_output.json");
        var tests = AppsTests.Read(testsPath, hash, required: true)!;
        var examples = AppsTests.Read(Path.Combine(folder, "example_input_output.json"), hash, required: false);
        var solutions = ReadJson(folder, "solutions.json", hash) is { } s
            ? s as JsonArray ?? throw new UserInputException($"{Path.Combine(folder, "solutions.json")}: expected a JSON array of programs.")
            : null;
        var metadata = ReadJson(folder, "metadata.json", hash) as JsonObject;
        var canonical = solutions is { Count: > 0 } && solutions[0] is JsonValue v && v.TryGetValue<string>(out var first) ? first : "";
        var publicTests = examples is not null
            ? new PublicTests(Enumerable.Range(tests.Count, examples.Count).ToArray(), "example_input_output.json")
            : AppsTests.PublicOf(question, tests);
        var row = new JsonObject
        {
            ["task_id"] = "APPS/" + name,
            ["problem_dir"] = Path.GetFullPath(folder),
            ["question"] = question,
            ["starter_code"] = starter,
            ["fn_name"] = tests.FunctionName,
            ["test_count"] = tests.Count,
            ["public_tests"] = new JsonArray(publicTests.Indices.Select(i => (JsonNode)i).ToArray()),
            ["public_tests_from"] = publicTests.Source,
            ["difficulty"] = metadata?["difficulty"]?.DeepClone(),
            ["url"] = metadata?["url"]?.DeepClone(),
        };
        return new Problem("APPS/" + name, PromptFor(question, starter, tests.FunctionName is not null), canonical, "", tests.FunctionName ?? "", row);
    }

    private static string? ReadText(string folder, string file, IncrementalHash hash, bool required)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            if (!required) return null;
            throw new UserInputException($"{folder}: this APPS problem folder has no {file}; every problem needs question.txt and input_output.json.");
        }
        var bytes = File.ReadAllBytes(path);
        hash.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
        hash.AppendData(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private static JsonNode? ReadJson(string folder, string file, IncrementalHash hash)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        hash.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
        hash.AppendData(bytes);
        return AppsTests.Parse(path, bytes);
    }

    [GeneratedRegex(@"^APPS/\S+$")]
    private static partial Regex TaskIdForm();
}
