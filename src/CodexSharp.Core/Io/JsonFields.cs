using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexSharp.Core.Io;

/// <summary>Typed access to required fields of a JSONL row, with errors that name file, line and field.</summary>
public static class JsonFields
{
    /// <summary>The string value of <paramref name="field"/>; an error if it is absent or not a string.</summary>
    public static string RequireString(this JsonlRow row, string path, string field)
    {
        if (!row.Object.TryGetPropertyValue(field, out var node))
            throw UserInputException.At(path, row.Line, field, "missing (expected a string).");
        if (node is null)
            throw UserInputException.At(path, row.Line, field, "is null (expected a string).");
        if (node.GetValueKind() != JsonValueKind.String)
            throw UserInputException.At(path, row.Line, field, $"expected a string, found {node.GetValueKind().ToString().ToLowerInvariant()}.");
        return node.GetValue<string>();
    }

    /// <summary>The integer value of <paramref name="field"/> if present, else null; an error if it is not an integer.</summary>
    public static int? OptionalInt(this JsonlRow row, string path, string field)
    {
        if (!row.Object.TryGetPropertyValue(field, out var node) || node is null) return null;
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var value)) return value;
        throw UserInputException.At(path, row.Line, field, "expected an integer.");
    }
}
