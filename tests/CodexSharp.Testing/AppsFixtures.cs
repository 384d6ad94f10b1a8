using System.Text.Json.Nodes;

namespace CodexSharp.Testing;

/// <summary>APPS problem folders written by tests, and the shared CodeRL samples copied into APPS's layout.</summary>
public static class AppsFixtures
{
    /// <summary>Five APPS train problems with 83 CodeRL programs and CodeRL's verdicts (shared data, read-only).</summary>
    public static string CodeRlTrain => Path.Combine(TestPaths.SharedDatasets, "apps-samples", "coderl_train");

    /// <summary>APPS test problem 0: CodeRL's prompt, 10 programs and their verdicts.</summary>
    public static string CodeRlTestOutputs => Path.Combine(TestPaths.SharedDatasets, "apps-samples", "coderl_test_outputs");

    /// <summary>
    /// Writes one problem folder: question.txt, input_output.json (fn_name when <paramref name="fnName"/> is set),
    /// and starter_code.py / solutions.json when given. Returns the folder.
    /// </summary>
    public static string WriteProblem(string root, string name, string question, JsonArray inputs, JsonArray outputs,
        string? fnName = null, string? starter = null, string? solution = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        File.WriteAllText(Path.Combine(folder, "question.txt"), question);
        var tests = new JsonObject { ["inputs"] = inputs, ["outputs"] = outputs };
        if (fnName is not null) tests["fn_name"] = fnName;
        File.WriteAllText(Path.Combine(folder, "input_output.json"), tests.ToJsonString());
        if (starter is not null) File.WriteAllText(Path.Combine(folder, "starter_code.py"), starter);
        if (solution is not null) File.WriteAllText(Path.Combine(folder, "solutions.json"), new JsonArray(solution).ToJsonString());
        return folder;
    }

    /// <summary>A standard-input problem whose cases are given as (input, output) text pairs.</summary>
    public static string WriteStdinProblem(string root, string name, string question, params (string Input, string Output)[] cases) =>
        WriteProblem(root, name, question, new JsonArray(cases.Select(c => (JsonNode)c.Input).ToArray()),
            new JsonArray(cases.Select(c => (JsonNode)c.Output).ToArray()));

    /// <summary>
    /// Copies the CodeRL train problems into <paramref name="root"/> in APPS's own layout (the shared copy
    /// stores starter_code.py as starter_code.py.txt) and returns the folder.
    /// </summary>
    public static string CopyCodeRlTrain(string root)
    {
        var target = Directory.CreateDirectory(Path.Combine(root, "coderl_train")).FullName;
        foreach (var problem in Directory.GetDirectories(CodeRlTrain))
        {
            var folder = Directory.CreateDirectory(Path.Combine(target, Path.GetFileName(problem))).FullName;
            foreach (var file in Directory.GetFiles(problem))
            {
                var name = Path.GetFileName(file) == "starter_code.py.txt" ? "starter_code.py" : Path.GetFileName(file);
                File.Copy(file, Path.Combine(folder, name));
            }
        }
        return target;
    }

    /// <summary>The CodeRL programs of a copied train problem folder with CodeRL's verdicts ("True", "False", "-1", "-2").</summary>
    public static IReadOnlyList<(string Code, string Verdict, string ErrorType)> CodeRlPrograms(string problemFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(problemFolder, "gen_solutions.json")))!.AsArray()
            .Select(p => (p!["code"]!.GetValue<string>(), VerdictText(p["result"]!), p["error_type"]?.GetValue<string>() ?? ""))
            .ToList();

    private static string VerdictText(JsonNode result) => result.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.True => "True",
        System.Text.Json.JsonValueKind.False => "False",
        _ => result.ToJsonString(),
    };
}
