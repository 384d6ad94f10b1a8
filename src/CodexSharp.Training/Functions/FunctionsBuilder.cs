using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Functions;

/// <summary>What <see cref="FunctionsBuilder"/> reads and how it checks what it keeps.</summary>
public sealed record FunctionsOptions
{
    /// <summary>
    /// MBPP files (<c>mbpp.jsonl[.gz]</c>: its train and validation splits are used) and Python source: folders,
    /// .py files, .deb packages and tar archives, as the corpus builder reads them.
    /// </summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>The problems file to write (HumanEval layout); the manifest goes beside it.</summary>
    public required string Output { get; init; }

    /// <summary>Wall-clock limit of each check run.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many times a problem's reference must pass (the paper re-runs its checks to drop flaky ones).</summary>
    public int Runs { get; init; } = 2;

    /// <summary>True for a problem text that holds benchmark material; such problems are dropped as <c>contaminated</c>.</summary>
    public Func<string, bool>? IsContaminated { get; init; }

    /// <summary>What <see cref="IsContaminated"/> was built from, recorded in the manifest.</summary>
    public JsonArray? Benchmarks { get; init; }
}

/// <summary>Where an extraction is: a phase and how many of its items are done.</summary>
public readonly record struct FunctionsProgress(string Phase, int Done, int Total, int Kept);

/// <summary>
/// Builds supervised problems in the HumanEval layout from verified standalone functions, the data of the paper's
/// Codex-S (§4.1): MBPP's train and validation problems (never its test split), and functions from a Python corpus
/// whose docstrings hold doctests. Every problem's reference solution is run against its test in the sandbox,
/// <see cref="FunctionsOptions.Runs"/> times, and kept only if it passes every time.
/// </summary>
public sealed class FunctionsBuilder(FunctionsOptions options, IProgramRunner runner, IProgress<FunctionsProgress>? progress = null)
{
    /// <summary>MBPP's split by task id (google-research's README): 11–510 test, 511–600 validation, 601–974 train.</summary>
    public static string? MbppSplit(long id) => id switch
    {
        >= 511 and <= 600 => "validation",
        >= 601 => "train",
        _ => null,
    };

    public async Task<JsonObject> BuildAsync(CancellationToken cancellationToken = default)
    {
        var candidates = new List<Candidate>();
        var sources = new JsonArray();
        using (var extractor = FunctionExtractor.Start())
        {
            foreach (var source in options.Sources)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stats = new SourceStats(source);
                if (File.Exists(source) && IsMbppFile(source)) ReadMbpp(extractor, source, stats, candidates);
                else ReadPython(extractor, source, stats, candidates);
                stats.Candidates = candidates.Count(c => c.Stats == stats);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var toRun = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            if (!seen.Add(WhitespaceNormalizer.Normalize(candidate.Problem.Prompt + candidate.Problem.CanonicalSolution))) candidate.Stats.Drop("duplicate");
            else if (options.IsContaminated?.Invoke(candidate.Problem.Prompt + candidate.Problem.CanonicalSolution) == true) candidate.Stats.Drop("contaminated");
            else toRun.Add(candidate);
        }

        var done = 0;
        var keptCount = 0;
        progress?.Report(new FunctionsProgress("checking", 0, toRun.Count, 0));
        using var gate = new SemaphoreSlim(32);
        var verdicts = await Task.WhenAll(toRun.Select(async candidate =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var verdict = await CheckAsync(candidate.Problem, cancellationToken);
                var finished = Interlocked.Increment(ref done);
                var kept = verdict is null ? Interlocked.Increment(ref keptCount) : Volatile.Read(ref keptCount);
                progress?.Report(new FunctionsProgress("checking", finished, toRun.Count, kept));
                return verdict;
            }
            finally
            {
                gate.Release();
            }
        }));

        var rows = new List<JsonObject>();
        for (var i = 0; i < toRun.Count; i++)
        {
            if (verdicts[i] is { } reason)
            {
                toRun[i].Stats.Drop(reason);
                continue;
            }
            toRun[i].Stats.Kept++;
            rows.Add(toRun[i].Problem.Row);
        }
        JsonlFile.WriteAllAtomic(options.Output, rows);

        var bySource = candidates.Select(c => c.Stats).Distinct().ToList();
        foreach (var stats in bySource) sources.Add(stats.ToJson());
        var manifest = new JsonObject
        {
            ["tool_version"] = ToolInfo.Version,
            ["output"] = Path.GetFileName(options.Output),
            ["output_sha256"] = ProblemSet.HashFile(options.Output),
            ["problems"] = rows.Count,
            ["by_kind"] = new JsonObject(rows.GroupBy(r => (string)r["source"]!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
            ["dropped"] = Totals(bySource),
            ["checks"] = new JsonObject { ["runs"] = options.Runs, ["timeout_s"] = options.Timeout.TotalSeconds, ["sandboxed"] = true },
            ["decontaminated_against"] = options.IsContaminated is null ? null : options.Benchmarks?.DeepClone() ?? new JsonArray(),
            ["sources"] = sources,
        };
        AtomicFile.WriteAllText(ManifestPath(options.Output), manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions(JsonlFile.WriteOptions) { WriteIndented = true }) + "\n");
        return manifest;
    }

    /// <summary>FILE.manifest.json beside FILE.jsonl (or FILE.jsonl.gz).</summary>
    public static string ManifestPath(string output) => Stem(output) + ".manifest.json";

    /// <summary>FILE of FILE.jsonl or FILE.jsonl.gz: where the files that belong to an output get their names.</summary>
    public static string Stem(string output)
    {
        var name = output;
        foreach (var suffix in new[] { ".gz", ".jsonl" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) name = name[..^suffix.Length];
        return name;
    }

    /// <summary>Null when the reference passed every run; otherwise the drop reason.</summary>
    private async Task<string?> CheckAsync(Problem problem, CancellationToken cancellationToken)
    {
        var passes = 0;
        for (var run = 0; run < options.Runs; run++)
        {
            var result = await runner.RunAsync(new ExecutionRequest(problem.CanonicalProgram, options.Timeout), cancellationToken);
            if (result.Passed) passes++;
            else if (passes > 0) return "nondeterministic";
            else return result.Status == ExecutionStatus.TimedOut ? "timed_out" : "failed";
        }
        return null;
    }

    private static void ReadMbpp(FunctionExtractor extractor, string path, SourceStats stats, List<Candidate> candidates)
    {
        stats.Kind = "mbpp";
        stats.Sha256 = ProblemSet.HashFile(path);
        foreach (var row in JsonlFile.Read(path))
        {
            var obj = row.Object;
            if (obj["text"] is null || obj["code"] is null || obj["test_list"] is not JsonArray tests || obj["task_id"] is null)
                throw UserInputException.At(path, row.Line, null, "expected an MBPP row (task_id, text, code, test_list); only MBPP's mbpp.jsonl layout and folders of Python files are read.");
            var id = (long)obj["task_id"]!.AsValue().GetValue<double>();
            var split = MbppSplit(id);
            if (split is null)
            {
                stats.SkippedTestSplit++;
                continue;
            }
            var testTexts = tests.Select(t => (string)t!).ToList();
            var (program, error) = extractor.SplitMbpp(id, (string)obj["code"]!, testTexts, (string)obj["text"]!);
            if (program is null)
            {
                stats.Drop("unusable_reference", $"{id}: {error}");
                continue;
            }
            var setup = ((string?)obj["test_setup_code"] ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);
            var test = new StringBuilder();
            if (setup.Trim().Length > 0) test.Append(setup.TrimEnd()).Append("\n\n");
            test.Append("def check(candidate):\n");
            foreach (var assertion in testTexts) test.Append("    ").Append(assertion.Trim()).Append('\n');
            candidates.Add(new Candidate(stats, MakeProblem($"MBPP-{split}/{id}", program.Prompt, program.Solution, test.ToString(),
                program.EntryPoint, "mbpp-" + split, $"{Path.GetFileName(path)}#{id}")));
        }
    }

    private static bool IsMbppFile(string path) =>
        new[] { ".jsonl", ".jsonl.gz", ".json" }.Any(suffix => path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Python source in any form the corpus builder reads: a folder, a .py file, a .deb package or a tar archive.</summary>
    private static void ReadPython(FunctionExtractor extractor, string source, SourceStats stats, List<Candidate> candidates)
    {
        stats.Kind = "python";
        var tally = PythonSources.Inspect([source])[0];
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var file in PythonSources.Read(0, tally, 1 << 20))
        {
            stats.Files++;
            if (file.Bytes is null) continue;
            string text;
            try
            {
                text = strict.GetString(file.Bytes);
            }
            catch (DecoderFallbackException)
            {
                continue;
            }
            if (!text.Contains(">>>", StringComparison.Ordinal)) continue;
            var relative = (tally.Kind switch
            {
                "directory" => Path.GetRelativePath(tally.Path, file.Path),
                "python" => Path.GetFileName(file.Path),
                _ => file.Path,
            }).Replace('\\', '/');
            var (functions, dropped) = extractor.Doctests(relative, text);
            foreach (var (reason, count) in dropped) stats.Drop(reason, count: count);
            foreach (var function in functions)
            {
                candidates.Add(new Candidate(stats, MakeProblem($"Traced/{relative}:{function.Name}", function.Prompt, function.Solution,
                    DoctestCheck(function), function.Name, "traced", $"{relative}:{function.Line}")));
            }
        }
        stats.Sha256 = tally.Sha256;
    }

    /// <summary>
    /// The test of a traced function: its own docstring's examples, run by <c>doctest</c> with the candidate in
    /// place of the function and the program's globals (its imports) in scope. At least one example must run
    /// and none may fail.
    /// </summary>
    public static string DoctestCheck(ExtractedFunction function) =>
        $$"""
        def check(candidate):
            import doctest
            globs = dict(globals())
            globs[{{PythonString(function.Name)}}] = candidate
            test = doctest.DocTestParser().get_doctest({{function.DocstringLiteral}}, globs, {{PythonString(function.Name)}}, None, 0)
            report = []
            runner = doctest.DocTestRunner(verbose=False)
            runner.run(test, out=report.append, clear_globs=False)
            assert runner.tries > 0 and runner.failures == 0, "".join(report)[-2000:]

        """;

    private static string PythonString(string name) => "'" + name + "'";

    private static Problem MakeProblem(string taskId, string prompt, string solution, string test, string entryPoint, string kind, string origin)
    {
        var row = new JsonObject
        {
            ["task_id"] = taskId,
            ["prompt"] = prompt,
            ["canonical_solution"] = solution,
            ["test"] = test,
            ["entry_point"] = entryPoint,
            ["source"] = kind,
            ["origin"] = origin,
        };
        return new Problem(taskId, prompt, solution, test, entryPoint, row);
    }

    private static JsonObject Totals(IEnumerable<SourceStats> sources)
    {
        var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var stats in sources)
            foreach (var (reason, count) in stats.Dropped)
                totals[reason] = totals.GetValueOrDefault(reason) + count;
        return new JsonObject(totals.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
    }

    private sealed record Candidate(SourceStats Stats, Problem Problem);

    private sealed class SourceStats(string path)
    {
        public string Kind { get; set; } = "";
        public string Sha256 { get; set; } = "";
        public int Files { get; set; }
        public int Candidates { get; set; }
        public int Kept { get; set; }
        public int SkippedTestSplit { get; set; }
        public SortedDictionary<string, int> Dropped { get; } = new(StringComparer.Ordinal);
        public List<string> Examples { get; } = [];

        public void Drop(string reason, string? example = null, int count = 1)
        {
            Dropped[reason] = Dropped.GetValueOrDefault(reason) + count;
            if (example is not null && Examples.Count < 20) Examples.Add(example);
        }

        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["path"] = path,
                ["kind"] = Kind,
                ["sha256"] = Sha256,
                ["candidates"] = Candidates,
                ["kept"] = Kept,
                ["dropped"] = new JsonObject(Dropped.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            };
            if (Kind == "python") json["files"] = Files;
            if (Kind == "mbpp") json["skipped_test_split"] = SkippedTestSplit;
            if (Examples.Count > 0) json["examples"] = new JsonArray(Examples.Select(e => (JsonNode?)e).ToArray());
            return json;
        }
    }
}
