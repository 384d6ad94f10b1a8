namespace CodexSharp.Generation.Chat;

/// <summary>How to ask a chat model for code. Null fields mean "the model's own default".</summary>
public sealed record ChatGeneratorOptions
{
    /// <summary>The model name sent with each request.</summary>
    public required string Model { get; init; }

    /// <summary>How the prompt is put to the model.</summary>
    public InstructionTemplate Template { get; init; } = InstructionTemplate.Python;

    /// <summary>Token budget of one reply. A reply holds prose and the whole function, so the completion budget
    /// (--max-tokens) is raised to at least this; null means exactly --max-tokens.</summary>
    public int? MinReplyTokens { get; init; } = 1024;
}
