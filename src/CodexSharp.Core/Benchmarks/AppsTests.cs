using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexSharp.Core.Benchmarks;

/// <summary>Which of a problem's test cases are its public tests, and where that choice came from.</summary>
/// <param name="Indices">Case indices; those at or past the problem's test count are extra cases from example_input_output.json.</param>
/// <param name="Source">How they were found, for the results and the docs.</param>
public sealed record PublicTests(IReadOnlyList<int> Indices, string Source);

/// <summary>
/// An APPS problem's <c>input_output.json</c> (<c>inputs</c>, <c>outputs</c>, and <c>fn_name</c> for a
/// call-based problem), read to check it and to find the public tests; the cases themselves are read again by
/// the judge when it runs a sample, so that thousands of problems do not hold their tests in memory.
/// </summary>
public sealed class AppsTests
{
    private AppsTests(string path, JsonArray inputs, JsonArray outputs, string? functionName)
    {
        Path = path;
        Inputs = inputs;
        Outputs = outputs;
        FunctionName = functionName;
    }

    public string Path { get; }

    public JsonArray Inputs { get; }

    public JsonArray Outputs { get; }

    /// <summary>The function a call-based problem's cases call; null for a standard-input problem.</summary>
    public string? FunctionName { get; }

    public int Count => Inputs.Count;

    /// <summary>Reads and checks a tests file; null when it is absent and not <paramref name="required"/>.</summary>
    /// <exception cref="UserInputException">Missing (when required), not JSON (file, line), or not in APPS's shape (file, field).</exception>
    public static AppsTests? Read(string path, IncrementalHash hash, bool required)
    {
        if (!File.Exists(path))
        {
            if (!required) return null;
            throw new UserInputException($"{System.IO.Path.GetDirectoryName(path)}: this APPS problem folder has no {System.IO.Path.GetFileName(path)}; "
                + "every problem needs its test cases (APPS's train split has a few problems without them: move those folders out).");
        }
        var bytes = File.ReadAllBytes(path);
        hash.AppendData(Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(path) + "\n"));
        hash.AppendData(bytes);
        if (Parse(path, bytes) is not JsonObject tests) throw new UserInputException($"{path}: expected a JSON object with inputs and outputs.");
        var inputs = tests["inputs"] as JsonArray ?? throw new UserInputException($"{path}: field 'inputs': expected a list of test inputs.");
        var outputs = tests["outputs"] as JsonArray ?? throw new UserInputException($"{path}: field 'outputs': expected a list of expected outputs.");
        if (inputs.Count != outputs.Count)
            throw new UserInputException($"{path}: field 'outputs': {outputs.Count} outputs for {inputs.Count} inputs; expected one per input.");
        if (inputs.Count == 0) throw new UserInputException($"{path}: field 'inputs': no test cases.");
        string? function = null;
        if (tests["fn_name"] is JsonNode name && !(name is JsonValue v && v.TryGetValue<string>(out function)))
            throw new UserInputException($"{path}: field 'fn_name': expected the name of the function call-based cases call.");
        for (var i = 0; i < inputs.Count && function is not null; i++)
        {
            if (inputs[i] is not JsonArray)
                throw new UserInputException($"{path}: field 'inputs': case {i} of a call-based problem must be a list of arguments.");
        }
        return new AppsTests(path, inputs, outputs, function);
    }

    /// <summary>Parses JSON; a syntax error names the file and line.</summary>
    public static JsonNode? Parse(string path, byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, null, $"not valid JSON ({e.Message.Split(" LineNumber", 2)[0].TrimEnd('.', ' ')}).");
        }
    }

    /// <summary>
    /// The public tests, when the folder has no example_input_output.json: for a standard-input problem, the
    /// cases whose input and output both appear in the statement (the "Example" / "Sample Input" blocks;
    /// compared line by line with trailing spaces ignored); for a call-based problem, or when no case appears,
    /// the first case (APPS's LeetCode and Codeforces problems list the statement's examples first).
    /// </summary>
    public static PublicTests PublicOf(string question, AppsTests tests)
    {
        if (tests.FunctionName is null)
        {
            var statement = Normalize(question);
            var shown = Enumerable.Range(0, tests.Count)
                .Where(i => Text(tests.Inputs[i]) is { } input && Text(tests.Outputs[i]) is { } output
                    && Normalize(input) is { Length: > 0 } a && Normalize(output) is { Length: > 0 } b
                    && statement.Contains(a, StringComparison.Ordinal) && statement.Contains(b, StringComparison.Ordinal))
                .ToArray();
            if (shown.Length > 0) return new PublicTests(shown, "cases whose input and output appear in question.txt");
        }
        return new PublicTests([0], "the first case");
    }

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray a when a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)) => string.Join("\n", a.Select(x => x!.GetValue<string>())),
        _ => null,
    };

    private static string Normalize(string text) =>
        string.Join("\n", text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim('\n');
}
