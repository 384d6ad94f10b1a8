using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;
using Xunit.Abstractions;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// Samples that solve nothing and try to be judged passed anyway, on a real problem of each Python benchmark, in the
/// real sandbox. Judged apart (the default) every one fails; in the sample's process (human-eval's and EvalPlus's
/// way, <c>--tests-in-sample-process</c>) several succeed (docs/evaluation.md lists which), and the always-equal
/// case asserts it, so that these attacks are known to be real. Each attack is a module that (re)defines
/// the entry point <c>{f}</c>; for a HumanEval-style prompt it follows a first line that ends the prompt's function.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ForgedPassTests(SandboxFixture sandbox, ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The attacks, by name: each is Python source with <c>{f}</c> for the entry point's name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Attacks = new Dictionary<string, string>
    {
        ["always-equal result"] = """
            class _Any(list):
                def __eq__(self, other): return True
                def __ne__(self, other): return False
                def __bool__(self): return True
            def {f}(*args, **kwargs):
                return _Any()
            """,
        ["comparer patched through the caller's frames"] = """
            import sys
            def _patch():
                frame = sys._getframe()
                while frame is not None:
                    names = frame.f_globals
                    if "_Comparer" in names:
                        names["_Comparer"].check = lambda *a, **k: None
                    for name in ("same_output", "same_result"):
                        if name in names:
                            names[name] = lambda *a, **k: True
                    frame = frame.f_back
            _patch()
            def {f}(*args, **kwargs):
                _patch()
                return None
            """,
        ["comparer patched through gc and sys.modules"] = """
            import gc, sys
            def _patch():
                for thing in gc.get_objects() + list(sys.modules.values()):
                    names = thing if isinstance(thing, dict) else getattr(thing, "__dict__", {})
                    try:
                        if "_Comparer" in names:
                            names["_Comparer"].check = lambda *a, **k: None
                        if "check" in names and callable(names["check"]) and names is not globals():
                            names["check"] = lambda *a, **k: None
                    except Exception:
                        pass
            def {f}(*args, **kwargs):
                _patch()
                return None
            """,
        ["builtins replaced"] = """
            import builtins
            builtins.abs = lambda x: 0
            builtins.all = lambda x: True
            builtins.isinstance = lambda *a: True
            builtins.len = lambda x: 0
            def {f}(*args, **kwargs):
                return None
            """,
        ["tracer jumping over the test's lines"] = """
            import sys, threading
            def _jump(frame, event, arg):
                if event == "line" and frame.f_code.co_name in ("check", "_run_phase", "<module>"):
                    last = max(line for _, _, line in frame.f_code.co_lines() if line is not None)
                    try:
                        frame.f_lineno = last
                    except ValueError:
                        pass
                return _jump
            def _global(frame, event, arg):
                return _jump
            sys.settrace(_global)
            threading.settrace(_global)
            def {f}(*args, **kwargs):
                return None
            """,
        ["exit 0 at exit"] = """
            import atexit, os
            atexit.register(os._exit, 0)
            def {f}(*args, **kwargs):
                os._exit(0)
            """,
        ["fake verdict printed"] = """
            print("passed")
            def {f}(*args, **kwargs):
                print('{"passed": true, "result": "passed"}')
                raise SystemExit(0)
            """,
        ["lying repr, hash and len"] = """
            class _Liar(tuple):
                def __repr__(self): return "True"
                def __hash__(self): return hash(True)
                def __len__(self): return 3
                def __eq__(self, other): return True
            def {f}(*args, **kwargs):
                return _Liar()
            """,
        ["generator returned"] = """
            def {f}(*args, **kwargs):
                yield True
            """,
        ["huge value returned"] = """
            def {f}(*args, **kwargs):
                return "x" * (300 << 20)
            """,
        ["expected outputs read from disk"] = """
            import glob, gzip, json
            def _solution():
                for path in glob.glob("{datasets}/**/*.jsonl*", recursive=True):
                    for line in (gzip.open(path, "rt") if path.endswith(".gz") else open(path)):
                        row = json.loads(line)
                        code = row.get("prompt", "") + row["canonical_solution"] if "canonical_solution" in row else row.get("code", "")
                        if "def {f}(" in code:
                            names = {}
                            exec(code, names)
                            return names["{f}"]
            _found = _solution()
            def {f}(*args, **kwargs):
                return _found(*args, **kwargs) if _found else None
            """,
        ["report forged with the nonce found by a frame walk"] = """
            import os, struct, sys
            def _forge():
                frame = sys._getframe()
                while frame is not None:
                    nonce = frame.f_locals.get("nonce")
                    if isinstance(nonce, bytes) and len(nonce) == 16:
                        os.write(3, struct.pack("<16sQBI", nonce, os.getpid(), 0, 0))
                        os._exit(0)
                    frame = frame.f_back
            _forge()
            def {f}(*args, **kwargs):
                _forge()
                return None
            """,
        ["exception carrying a fake harness verdict"] = """
            def {f}(*args, **kwargs):
                raise Exception('APPS-VERDICT {"cases": "P", "compile": null, "first": -1, "message": ""}')
            """,
    };

    public static TheoryData<string> AttackNames() => [.. Attacks.Keys];

    [Theory]
    [MemberData(nameof(AttackNames))]
    public async Task No_attack_passes_on_any_benchmark_judged_apart(string attack)
    {
        var failures = new List<string>();
        foreach (var (benchmark, taskId, problems) in Benchmarks())
        {
            var verdict = await JudgeAsync(benchmark, problems, taskId, attack, inSampleProcess: false);
            output.WriteLine($"| {attack} | {benchmark.Name} | {Short(verdict)} |");
            if (verdict.Result.Passed) failures.Add($"{benchmark.Name} {taskId}: judged passed");
            if (verdict.Flag(EvalPlusBenchmark.BasePassed)) failures.Add($"{benchmark.Name} {taskId}: base inputs judged passed");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task The_always_equal_result_is_a_real_attack_in_the_samples_process()
    {
        // What human-eval and EvalPlus do (and --tests-in-sample-process reproduces): the comparison runs the sample's __eq__.
        var humanEval = HumanEvalBenchmark.Instance.Load(TestPaths.HumanEval);
        var inProcess = await JudgeAsync(HumanEvalBenchmark.Instance, humanEval, "HumanEval/0", "always-equal result", inSampleProcess: true);
        Assert.True(inProcess.Result.Passed, inProcess.Result.Result);
        var apart = await JudgeAsync(HumanEvalBenchmark.Instance, humanEval, "HumanEval/0", "always-equal result", inSampleProcess: false);
        Assert.False(apart.Result.Passed);
    }

    [Fact]
    public async Task Canonical_solutions_still_pass_judged_apart()
    {
        foreach (var (benchmark, taskId, problems) in Benchmarks())
        {
            Assert.True(problems.TryGet(taskId, out var problem));
            var judge = await PrepareAsync(benchmark, problems, taskId, inSampleProcess: false);
            var verdict = await judge.JudgeAsync(problem, benchmark.CanonicalCompletion(problem), Limits(judge, problem), CancellationToken.None);
            Assert.True(verdict.Result.Passed, $"{benchmark.Name} {taskId}: {verdict.Result.Result}");
        }
    }

    private IEnumerable<(Benchmark Benchmark, string TaskId, ProblemSet Problems)> Benchmarks()
    {
        var datasets = TestPaths.SharedDatasets;
        yield return (HumanEvalBenchmark.Instance, "HumanEval/0", HumanEvalBenchmark.Instance.Load(TestPaths.HumanEval));
        yield return (EvalPlusBenchmark.HumanEvalPlus, "HumanEval/0", EvalPlusBenchmark.HumanEvalPlus.Load(Path.Combine(datasets, "humanevalplus", "HumanEvalPlus.jsonl.gz")));
        yield return (MbppBenchmark.Full, "Mbpp/11", MbppBenchmark.Full.Load(Path.Combine(datasets, "mbpp", "mbpp.jsonl.gz")));
        yield return (EvalPlusBenchmark.MbppPlus, "Mbpp/2", EvalPlusBenchmark.MbppPlus.Load(Path.Combine(datasets, "mbppplus", "MbppPlus.jsonl.gz")));
    }

    private async Task<Judgement> JudgeAsync(Benchmark benchmark, ProblemSet problems, string taskId, string attack, bool inSampleProcess)
    {
        Assert.True(problems.TryGet(taskId, out var problem));
        var judge = await PrepareAsync(benchmark, problems, taskId, inSampleProcess);
        var module = Attacks[attack].Replace("{f}", problem.EntryPoint, StringComparison.Ordinal).Replace("{datasets}", TestPaths.SharedDatasets, StringComparison.Ordinal);
        // After a HumanEval-style prompt (a function's signature and docstring) the first line ends that function.
        var completion = problem.Prompt.TrimEnd().EndsWith("\"\"\"", StringComparison.Ordinal) && !problem.Prompt.TrimStart().StartsWith("\"\"\"", StringComparison.Ordinal)
            ? "    pass\n" + module
            : module;
        return await judge.JudgeAsync(problem, completion, Limits(judge, problem), CancellationToken.None);
    }

    private Task<IJudge> PrepareAsync(Benchmark benchmark, ProblemSet problems, string taskId, bool inSampleProcess) =>
        benchmark.PrepareAsync(new BenchmarkRun(problems, [taskId], sandbox.Runner, _dir.File("cache"), 2, null, _ => { }) { TestsInSampleProcess = inSampleProcess },
            CancellationToken.None);

    private static string Short(Judgement verdict) =>
        (verdict.Result.Passed ? "PASSED" : verdict.Result.Status.ToString().ToLowerInvariant())
        + (verdict.Flag(EvalPlusBenchmark.BasePassed) ? " (base passed)" : "");

    private static RunLimits Limits(IJudge judge, Problem problem) => new(judge.LimitOf(problem) ?? TimeSpan.FromSeconds(10));
}
