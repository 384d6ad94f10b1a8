using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexSharp.Core;
using CodexSharp.Core.Io;

namespace CodexSharp.Training.Corpus;

/// <summary>One benchmark problem as decontamination sees it: the docstrings of its prompt and its reference solution.</summary>
internal sealed record BenchmarkProblem(IReadOnlyList<string> Docstrings, string Solution);

/// <summary>
/// A benchmark file whose problems must not be in a training corpus. The format is told by the fields of each
/// row: <c>prompt</c> + <c>canonical_solution</c> (HumanEval, HumanEval+, EvalPlus MBPP+), whose docstrings are
/// the prompt's triple-quoted strings (the whole prompt when it has none); or <c>text</c> (or <c>prompt</c>) +
/// <c>code</c> (MBPP, sanitized MBPP), whose docstring is the task's description. JSON Lines, plain or gzip,
/// or one JSON array (sanitized-mbpp.json).
/// </summary>
internal sealed partial class BenchmarkFile
{
    private BenchmarkFile(string path, string sha256, string format, IReadOnlyList<BenchmarkProblem> problems)
    {
        Path = path;
        Sha256 = sha256;
        Format = format;
        Problems = problems;
    }

    public string Path { get; }
    public string Sha256 { get; }

    /// <summary><c>humaneval</c> or <c>mbpp</c>.</summary>
    public string Format { get; }

    public IReadOnlyList<BenchmarkProblem> Problems { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">Missing, not JSON, or a row without the fields of either format.</exception>
    public static BenchmarkFile Read(string path) => Read(path, mbppTestSplitOnly: false);

    /// <summary>
    /// Reads <paramref name="path"/>; with <paramref name="mbppTestSplitOnly"/>, an MBPP file gives only its test
    /// split (task ids 11–510), the part that is a benchmark, so that its train split can be training data.
    /// </summary>
    public static BenchmarkFile Read(string path, bool mbppTestSplitOnly)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new UserInputException($"--benchmark {path}: no such file.");
        var rows = IsJsonArray(full) ? ReadArray(full) : ReadLines(full);
        var problems = new List<BenchmarkProblem>();
        string? format = null;
        foreach (var (line, row) in rows)
        {
            var (rowFormat, problem) = Parse(full, line, row);
            if (mbppTestSplitOnly && rowFormat == "mbpp" && row["task_id"] is JsonValue id && id.TryGetValue(out int taskId) && taskId is < 11 or > 510) continue;
            if (format is not null && format != rowFormat)
                throw UserInputException.At(full, line, null, $"a {rowFormat}-style row in a file of {format}-style rows");
            format = rowFormat;
            problems.Add(problem);
        }
        if (problems.Count == 0) throw new UserInputException($"--benchmark {path}: holds no problems.");
        using var stream = File.OpenRead(full);
        return new BenchmarkFile(full, Convert.ToHexStringLower(SHA256.HashData(stream)), format!, problems);
    }

    private static (string Format, BenchmarkProblem Problem) Parse(string path, long line, JsonObject row)
    {
        if (Text(row, "canonical_solution") is { } solution)
        {
            var prompt = Text(row, "prompt") ?? throw UserInputException.At(path, line, "prompt", "missing (a row with canonical_solution needs its prompt)");
            return ("humaneval", new BenchmarkProblem(Docstrings(prompt), solution));
        }
        if (Text(row, "code") is { } code)
        {
            var text = Text(row, "text") ?? Text(row, "prompt")
                ?? throw UserInputException.At(path, line, "text", "missing (an MBPP row needs text or prompt beside code)");
            return ("mbpp", new BenchmarkProblem([text], code));
        }
        throw UserInputException.At(path, line, null,
            "expected prompt + canonical_solution (HumanEval, HumanEval+, MBPP+) or text + code (MBPP)");
    }

    /// <summary>The triple-quoted strings of a prompt, or the prompt itself when it has none.</summary>
    internal static IReadOnlyList<string> Docstrings(string prompt)
    {
        var found = TripleQuoted().Matches(prompt).Select(m => m.Groups["body"].Value).Where(s => s.Trim().Length > 0).ToList();
        return found.Count > 0 ? found : [prompt];
    }

    private static string? Text(JsonObject row, string field) =>
        row.TryGetPropertyValue(field, out var node) && node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static bool IsJsonArray(string path)
    {
        using var stream = JsonlFile.OpenStream(path);
        int b;
        while ((b = stream.ReadByte()) is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF) { }
        return b == '[';
    }

    /// <summary>JSON Lines as Python's json module writes them (MBPP+ has bare NaN and -Infinity in its inputs; only strings are used here).</summary>
    private static IEnumerable<(long Line, JsonObject Row)> ReadLines(string path) =>
        PythonJsonLines.Read(path).Select(row => (row.Line, row.Object));

    private static IEnumerable<(long Line, JsonObject Row)> ReadArray(string path)
    {
        JsonArray? array;
        try
        {
            using var stream = JsonlFile.OpenStream(path);
            array = JsonNode.Parse(stream) as JsonArray;
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, null, $"not valid JSON: {e.Message}");
        }
        var index = 0;
        foreach (var item in array ?? [])
        {
            index++;
            // A JSON array has no line per row; the row's position stands in for it.
            yield return (index, item as JsonObject ?? throw UserInputException.At(path, index, null, "array item is not a JSON object"));
        }
    }

    [GeneratedRegex("(?<q>\"\"\"|''')(?<body>.*?)\\k<q>", RegexOptions.Singleline)]
    private static partial Regex TripleQuoted();
}
