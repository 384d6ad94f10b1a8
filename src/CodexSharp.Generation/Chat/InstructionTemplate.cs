namespace CodexSharp.Generation.Chat;

/// <summary>
/// How a completion prompt is put to a chat model: a system message and a user message in which
/// <c>{prompt}</c> stands for the problem's prompt.
/// </summary>
public sealed record InstructionTemplate(string Name, string System, string User)
{
    /// <summary>For Python function-completion sets (HumanEval, HumanEval+, MBPP in HumanEval format).</summary>
    public static InstructionTemplate Python { get; } = new(
        "python-function",
        "You are an expert Python programmer. You write correct, self-contained code that uses only the standard library.",
        "Complete the following Python function. Keep its name and signature, and reply with the whole function " +
        "(including any imports or helper functions it needs) in one ```python code block.\n\n```python\n{prompt}\n```");

    /// <summary>The user message for <paramref name="prompt"/>.</summary>
    public string RenderUser(string prompt) => User.Replace("{prompt}", prompt.TrimEnd('\n'), StringComparison.Ordinal);
}
