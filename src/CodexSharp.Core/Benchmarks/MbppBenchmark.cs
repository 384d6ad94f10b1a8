using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// MBPP (Austin et al. 2021), its test split: task ids 11-510. The prompt is a docstring holding the task text
/// and its three asserts (the layout of the bigcode harness and EvalPlus, with all three asserts as in the MBPP
/// paper); the program is <c>prompt + completion + "\n" + setup + "\n" + asserts</c>; a sample passes when it
/// runs to its end. <c>mbpp</c> reads the full file (mbpp.jsonl: text, code, test_setup_code, test_list; 500
/// problems), <c>mbpp-sanitized</c> the hand-verified subset (sanitized-mbpp.json: prompt, code, test_imports,
/// test_list; 257 problems). Task ids are written <c>Mbpp/N</c>, as MBPP+ writes them.
/// </summary>
public sealed partial class MbppBenchmark(bool sanitized) : Benchmark
{
    public static MbppBenchmark Full { get; } = new(sanitized: false);

    public static MbppBenchmark Sanitized { get; } = new(sanitized: true);

    /// <summary>The test split's task ids.</summary>
    public const int FirstTestTask = 11, LastTestTask = 510;

    public override string Name => sanitized ? "mbpp-sanitized" : "mbpp";

    public override string Description => sanitized
        ? "MBPP's hand-verified subset: the 257 sanitized problems of the test split (task ids 11-510)"
        : "MBPP (Austin et al. 2021): the 500 test problems (task ids 11-510), three asserts each";

    public override string LayoutDescription => sanitized
        ? "sanitized-mbpp.json: a JSON array of task_id, prompt, code, test_imports, test_list"
        : "mbpp.jsonl(.gz): rows of task_id, text, code, test_setup_code, test_list";

    /// <summary>The bigcode harness's MBPP stop sequences: no "\ndef", since a solution may need helper functions.</summary>
    public override IReadOnlyList<string> StopSequences { get; } = ["\nclass", "\nassert", "\n\"\"\"", "\nprint", "\nif", "\n<|/", "\n```"];

    public override bool LooksLikeItsTaskId(string taskId) => TaskIdForm().IsMatch(taskId);

    /// <summary>Mbpp/123's reference (amicable numbers below 9,999, by brute force) takes about 6 s of CPU on a 2-core EPYC VM.</summary>
    public override bool SelfCheckCalibrates => true;

    public override ProblemSet Load(string path)
    {
        var rows = sanitized ? ReadArray(path) : JsonlFile.Read(path).Select(r => (r.Object, r.Line)).ToList();
        var problems = new List<Problem>();
        foreach (var (row, line) in rows)
        {
            var id = row["task_id"] is JsonValue v && v.TryGetValue<int>(out var n) ? n
                : throw UserInputException.At(path, line, "task_id", "expected an integer (MBPP's task ids are numbers).");
            if (id is < FirstTestTask or > LastTestTask) continue;
            var text = Field(path, line, row, sanitized ? "prompt" : "text");
            var code = Field(path, line, row, "code");
            var asserts = row["test_list"] is JsonArray list ? list.Select(t => t?.GetValue<string>() ?? "").ToList()
                : throw UserInputException.At(path, line, "test_list", "expected a list of assert statements.");
            var setup = sanitized
                ? string.Join("\n", (row["test_imports"] as JsonArray ?? []).Select(t => t?.GetValue<string>() ?? ""))
                : row["test_setup_code"]?.GetValue<string>() ?? "";
            var prompt = $"\"\"\"\n{text}\n{string.Join("\n", asserts)}\n\"\"\"\n";
            var test = setup + "\n" + string.Join("\n", asserts) + "\n";
            problems.Add(new Problem($"Mbpp/{id}", prompt, code, test, EntryPointOf(asserts), row));
        }
        if (problems.Count == 0)
            throw new UserInputException($"{path}: holds no MBPP test problem (task ids {FirstTestTask}-{LastTestTask}); is it {LayoutDescription}?");
        return ProblemSet.Create(path, problems, ProblemSet.HashFile(path));
    }

    public override Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken) =>
        Task.FromResult(ApartJudge.OrInSampleProcess(run, (problem, completion) => string.Concat(problem.Prompt, completion, "\n", problem.Test), JudgeOf));

    /// <summary>The trusted half: the functions the sample defined (what the test's setup defines is its own), then the setup and asserts.</summary>
    private static string JudgeOf(Problem problem) =>
        string.Concat("__sample__.bind(globals(), ", ApartJudge.PythonString(problem.EntryPoint), ")\n", problem.Test);

    private static List<(JsonObject Row, long Line)> ReadArray(string path)
    {
        using var stream = JsonlFile.OpenStream(path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}: not JSON ({e.Message}); expected sanitized-mbpp.json, a JSON array of problems.");
        }
        if (node is not JsonArray array) throw new UserInputException($"{path}: expected a JSON array of problems (sanitized-mbpp.json).");
        return array.Select((item, i) => (item as JsonObject ?? throw new UserInputException($"{path}: item {i} is not an object."), (long)(i + 1))).ToList();
    }

    private static string Field(string path, long line, JsonObject row, string name) =>
        row[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw UserInputException.At(path, line, name, "expected a string.");

    /// <summary>The function the first assert calls, e.g. <c>remove_Occ</c> in <c>assert remove_Occ("hello","l") == "heo"</c>.</summary>
    private static string EntryPointOf(IReadOnlyList<string> asserts) =>
        asserts.Count > 0 && CalledName().Match(asserts[0]) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex(@"^Mbpp/\d+$")]
    private static partial Regex TaskIdForm();

    [GeneratedRegex(@"assert\s+(?:not\s+)?\(?\s*(?:set\(|math\.isclose\()?\s*([A-Za-z_]\w*)\s*\(")]
    private static partial Regex CalledName();
}
