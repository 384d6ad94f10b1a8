namespace CodexSharp.Core.Problems;

/// <summary>
/// The text layout of Codex-D (the paper's §5): the model reads a function without its docstring and writes the
/// docstring. The input is the code (imports, signature and body, docstring removed) followed by a fixed cue; the
/// target is the docstring's text and a closing <c>"""</c>. The same layout trains Codex-D, samples docstrings
/// from it, and scores back-translation: log p(docstring | code) under Codex-D.
/// </summary>
public static class DocstringLayout
{
    /// <summary>What ends the target; sampling a docstring stops here.</summary>
    public const string TargetEnd = "\"\"\"";

    /// <summary>The input: <paramref name="code"/> (no docstring) and the cue that asks for <paramref name="entryPoint"/>'s docstring.</summary>
    public static string Input(string code, string entryPoint) =>
        code.TrimEnd() + "\n\n\n# The docstring of " + entryPoint + ":\n\"\"\"";

    /// <summary>The target: the docstring's text as written (indentation trimmed at its ends) and the closing quotes.</summary>
    public static string Target(string docstring) => docstring.Trim() + "\n" + TargetEnd;
}
