using CodexSharp.Core;
using CodexSharp.Core.Problems;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;

namespace CodexSharp.Training.Functions;

/// <summary>A top-level function whose docstring holds doctest examples, split HumanEval-style.</summary>
/// <param name="Path">The file, relative to the folder it was found in.</param>
/// <param name="Name">The function's name (the problem's entry point).</param>
/// <param name="Line">The 1-based line of its <c>def</c>.</param>
/// <param name="Prompt">The module's imports the function uses, its signature and its docstring.</param>
/// <param name="Solution">The body after the docstring.</param>
/// <param name="Docstring">The docstring as written.</param>
/// <param name="DocstringLiteral">The docstring as a Python string literal (its <c>repr</c>).</param>
public sealed record ExtractedFunction(string Path, string Name, int Line, string Prompt, string Solution, string Docstring, string DocstringLiteral);

/// <summary>An MBPP reference program split into a HumanEval prompt (its task text as the docstring) and body.</summary>
public sealed record SplitProgram(string Prompt, string Solution, string EntryPoint);

/// <summary>
/// Splits Python source into prompts and bodies with Python's own parser: a long-lived
/// <c>python3 -I</c> process running an embedded script that only calls <c>ast.parse</c>. It never imports or
/// runs what it reads, so it may read untrusted source outside the sandbox.
/// </summary>
public sealed class FunctionExtractor : IDisposable
{
    private readonly Process _process;

    private FunctionExtractor(Process process) => _process = process;

    /// <summary>Starts the parser process.</summary>
    public static FunctionExtractor Start(string pythonPath = "/usr/bin/python3")
    {
        string script;
        using (var resource = typeof(FunctionExtractor).Assembly.GetManifestResourceStream("function_extractor.py")
            ?? throw new InvalidOperationException("The function extractor script is missing from the assembly."))
        using (var reader = new StreamReader(resource))
        {
            script = reader.ReadToEnd();
        }
        var info = new ProcessStartInfo(pythonPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-I");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{pythonPath} could not be started.");
        return new FunctionExtractor(process);
    }

    /// <summary>The doctest functions of one file and, by reason, the functions with doctests it could not use.</summary>
    public (IReadOnlyList<ExtractedFunction> Functions, IReadOnlyDictionary<string, int> Dropped) Doctests(string path, string source)
    {
        Send(new JsonObject { ["kind"] = "doctest", ["path"] = path, ["source"] = source });
        var functions = new List<ExtractedFunction>();
        while (true)
        {
            var row = Receive();
            if ((string?)row["kind"] == "done")
            {
                var dropped = row["dropped"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!, StringComparer.Ordinal);
                return (functions, dropped);
            }
            functions.Add(new ExtractedFunction(path, (string)row["name"]!, (int)row["line"]!, (string)row["prompt"]!,
                (string)row["solution"]!, (string)row["docstring"]!, (string)row["docstring_literal"]!));
        }
    }

    /// <summary>Splits an MBPP reference program at the function its tests call; null and why when it cannot.</summary>
    public (SplitProgram? Program, string? Error) SplitMbpp(long id, string code, IReadOnlyList<string> tests, string taskText)
    {
        var answer = Ask(new JsonObject
        {
            ["kind"] = "mbpp", ["id"] = id, ["code"] = code, ["tests"] = new JsonArray(tests.Select(t => (JsonNode)t).ToArray()), ["docstring"] = taskText,
        });
        if (answer["error"] is { } error) return (null, (string)error!);
        return (new SplitProgram((string)answer["prompt"]!, (string)answer["solution"]!, (string)answer["entry_point"]!), null);
    }

    /// <summary>
    /// A HumanEval prompt split around its entry function's docstring: the code before it, the docstring's text,
    /// and the code after it (usually nothing). Null and why when the prompt does not parse or has no docstring.
    /// </summary>
    public (string Before, string Docstring, string After)? SplitDocstring(string prompt, string entryPoint, out string? error)
    {
        var answer = Ask(new JsonObject { ["kind"] = "split_docstring", ["prompt"] = prompt, ["entry_point"] = entryPoint });
        error = (string?)answer["error"];
        if (error is not null) return null;
        return ((string)answer["before"]!, (string)answer["docstring"]!, (string)answer["after"]!);
    }

    /// <summary>
    /// For back-translation (§5): each task's prompt without its entry point's docstring (the code before it and
    /// after it, to which a sample's body is appended) and the docstring itself.
    /// </summary>
    /// <exception cref="UserInputException">A task's prompt does not parse or has no docstring.</exception>
    public static Dictionary<string, (string Code, string Docstring)> SplitPrompts(ProblemSet set, IEnumerable<string> taskIds)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using var extractor = Start();
        foreach (var taskId in taskIds.Distinct())
        {
            set.TryGet(taskId, out var problem);
            var split = extractor.SplitDocstring(problem.Prompt, problem.EntryPoint, out var error)
                ?? throw new UserInputException($"{set.Path}: task {taskId}: cannot take the docstring out of its prompt for back-translation: {error}.");
            result[taskId] = (split.Before + split.After, split.Docstring);
        }
        return result;
    }

    /// <summary>
    /// Checks a fine-tuning example: prompt + solution must parse and define the entry point. With
    /// <paramref name="docstring"/> the prompt is also split around the entry point's docstring (as
    /// <see cref="SplitDocstring"/>). On failure: why, and the field to blame.
    /// </summary>
    public (string? Error, string? Field, (string Before, string Docstring, string After)? Split) CheckExample(string prompt, string solution, string entryPoint, bool docstring)
    {
        var answer = Ask(new JsonObject { ["kind"] = "check_example", ["prompt"] = prompt, ["solution"] = solution, ["entry_point"] = entryPoint, ["docstring"] = docstring });
        if (answer["error"] is { } error) return ((string)error!, (string?)answer["field"], null);
        return docstring ? (null, null, ((string)answer["before"]!, (string)answer["docstring"]!, (string)answer["after"]!)) : (null, null, null);
    }

    private JsonObject Ask(JsonObject request)
    {
        Send(request);
        return Receive();
    }

    private void Send(JsonObject request)
    {
        _process.StandardInput.Write(request.ToJsonString(JsonlFile.WriteOptions));
        _process.StandardInput.Write('\n');
        _process.StandardInput.Flush();
    }

    private JsonObject Receive()
    {
        var line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"The Python parser process stopped (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
        return JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 64 })!.AsObject();
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
