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
public sealed record DatasetEntry(string Name, string FileName, Uri Url, string Sha256, string Description,
    IReadOnlyList<KnownDefect>? KnownDefects = null);

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
        new("humanevalplus", "HumanEvalPlus-OriginFmt.jsonl.gz",
            new Uri("https://github.com/evalplus/humanevalplus_release/raw/200defce9e3429d28ca215b6dd061c0f7f31c18b/HumanEvalPlus-OriginFmt.jsonl.gz"),
            "daa7661c8189924068069b0872a440b491edb60f8bdf431d5957adc88d18bae5",
            "HumanEval+ v0.1.10 (EvalPlus), its many extra tests written as HumanEval check() functions",
            [
                new KnownDefect("HumanEval/32", "b4eccf838d1b0f79daeb40e130ae3e37ee9d75ca739be3dbe93b8caac886c760",
                    "its test calls _poly(*candidate(*inp), inp), unpacking the float find_zero returns; it fails under openai/human-eval too"),
            ]),
    ];

    /// <summary>Why <paramref name="problem"/>'s test is known to be broken as published, or null.</summary>
    public static string? KnownDefectOf(Problem problem) =>
        All.SelectMany(d => d.KnownDefects ?? []).FirstOrDefault(defect => defect.Matches(problem))?.Reason;

    /// <summary>The entry called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="UserInputException">No data set has that name.</exception>
    public static DatasetEntry Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UserInputException($"--dataset: no data set called '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}.");
}
