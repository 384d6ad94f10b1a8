using System.Security.Cryptography;
using System.Text;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Datasets;

/// <summary>A published problems file: where it lives and the SHA-256 its bytes must have.</summary>
/// <param name="Name">The name users type after --dataset.</param>
/// <param name="FileName">The file's name in the cache (and under a mirror).</param>
/// <param name="Url">The public release address.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file as published.</param>
/// <param name="Description">One line for `codexsharp datasets`.</param>
/// <param name="KnownDefects">Tests that are broken as published, so the canonical solution cannot pass them
/// anywhere; <c>evaluate --self-check</c> names them and does not fail on them.</param>
/// <param name="Language">The programming language of its problems (<c>python</c>, <c>csharp</c>).</param>
public sealed record DatasetEntry(string Name, string FileName, Uri Url, string Sha256, string Description,
    IReadOnlyList<KnownDefect>? KnownDefects = null, string Language = "python");

/// <summary>A published test that is broken, recognised by its task id and the SHA-256 of its text (UTF-8), so
/// it is known wherever it appears: the catalog's file, a local copy or a subset of it.</summary>
public sealed record KnownDefect(string TaskId, string TestSha256, string Reason)
{
    public bool Matches(Problem problem) =>
        problem.TaskId == TaskId && Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(problem.Test))) == TestSha256;
}

/// <summary>The data sets `--dataset NAME` knows. Every file is pinned by its SHA-256.</summary>
public static class DatasetCatalog
{
    public static IReadOnlyList<DatasetEntry> All { get; } =
    [
        new("humaneval", "HumanEval.jsonl.gz",
            new Uri("https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz"),
            "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
            "HumanEval (Chen et al. 2021): 164 hand-written Python problems, 7.7 tests each on average"),
        new("humanevalplus", "HumanEvalPlus.jsonl.gz",
            new Uri("https://github.com/evalplus/humanevalplus_release/raw/200defce9e3429d28ca215b6dd061c0f7f31c18b/HumanEvalPlus.jsonl.gz"),
            "272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101",
            "HumanEval+ v0.1.10 (EvalPlus): base and plus inputs of HumanEval's 164 problems, judged against the reference's outputs"),
        new("humanevalplus-originfmt", "HumanEvalPlus-OriginFmt.jsonl.gz",
            new Uri("https://github.com/evalplus/humanevalplus_release/raw/200defce9e3429d28ca215b6dd061c0f7f31c18b/HumanEvalPlus-OriginFmt.jsonl.gz"),
            "daa7661c8189924068069b0872a440b491edb60f8bdf431d5957adc88d18bae5",
            "HumanEval+ v0.1.10 (EvalPlus), its many extra tests written as HumanEval check() functions",
            [
                new KnownDefect("HumanEval/32", "b4eccf838d1b0f79daeb40e130ae3e37ee9d75ca739be3dbe93b8caac886c760",
                    "its test calls _poly(*candidate(*inp), inp), unpacking the float find_zero returns; it fails under openai/human-eval too"),
            ]),
        new("mbpp", "mbpp.jsonl",
            new Uri("https://github.com/deepseek-ai/DeepSeek-Coder/raw/a4ba628dfdc2e56f1fd6cdd86df103ce4d3df73e/Evaluation/MBPP/data/mbpp.jsonl"),
            "ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f",
            "MBPP (Austin et al. 2021): the 500 test problems (task ids 11-510), three asserts each"),
        new("mbpp-sanitized", "sanitized-mbpp.json",
            new Uri("https://github.com/google-research/google-research/raw/30adf0ec5f35f9609c2f1d896005e184195d9146/mbpp/sanitized-mbpp.json"),
            "ca95deaa9a01ef0a6f439f88bcf0dd3db3563d22f22aad6cae04ebb9a8d8c8e9",
            "MBPP's hand-verified subset: the 257 sanitized problems of the test split (task ids 11-510)"),
        new("mbppplus", "MbppPlus.jsonl.gz",
            new Uri("https://github.com/evalplus/mbppplus_release/raw/64fc4195b858a17cdfdb3324f0baf37939144e14/MbppPlus.jsonl.gz"),
            "af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63",
            "MBPP+ v0.2.0 (EvalPlus): 378 sanitized MBPP problems with base and plus inputs"),
        new("humaneval-cs", "humaneval-cs-reworded.jsonl",
            new Uri("https://github.com/nuprl/MultiPL-E/raw/cd89cd52452e50b075cce51611a108413f091b5a/prompts/humaneval-cs-reworded.jsonl"),
            "d98216f73cf195d24f76ae38f0220e5e937e55fc2d4995f68473646919f89269",
            "MultiPL-E's C# translation of HumanEval (158 problems); its licence forbids training on it", Language: "csharp"),
    ];

    /// <summary>Why <paramref name="problem"/>'s test is known to be broken as published, or null.</summary>
    public static string? KnownDefectOf(Problem problem) =>
        All.SelectMany(d => d.KnownDefects ?? []).FirstOrDefault(defect => defect.Matches(problem))?.Reason;

    /// <summary>The entry called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static DatasetEntry? TryFind(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="UserInputException">No data set has that name.</exception>
    public static DatasetEntry Find(string name) =>
        TryFind(name) ?? throw new UserInputException($"--dataset: no data set called '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}.");
}
