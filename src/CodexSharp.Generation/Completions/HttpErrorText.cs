using System.Text.Json;

namespace CodexSharp.Generation.Completions;

/// <summary>Pulls a human-readable message (and OpenAI's error code and parameter) out of an error body, whatever shape the server gives it.</summary>
public static class HttpErrorText
{
    /// <summary>What an error body says: its message, and OpenAI's <c>code</c> and <c>param</c> when present.</summary>
    public sealed record ErrorInfo(string Message, string? Code, string? Param);

    /// <summary>The message of {"error": {"message", "code", "param"}}, {"error": "..."}, {"message": ...} or {"detail": ...}; else an excerpt.</summary>
    public static ErrorInfo Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var message = FromJson(root) ?? Excerpt(body);
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                return new ErrorInfo(message, Text(error, "code"), Text(error, "param"));
            return new ErrorInfo(message, root.ValueKind == JsonValueKind.Object ? Text(root, "code") : null, null);
        }
        catch (JsonException)
        {
            return new ErrorInfo(Excerpt(body), null, null);
        }
    }

    /// <summary>The error message of a parsed body, or null when it has none.</summary>
    public static string? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String) return error.GetString();
            if (error.ValueKind == JsonValueKind.Object && Text(error, "message") is { } m) return m;
        }
        return Text(root, "message") ?? Text(root, "detail");
    }

    /// <summary>The first 200 characters on one line, or "(empty body)".</summary>
    public static string Excerpt(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        if (line.Length == 0) return "(empty body)";
        return line.Length <= 200 ? line : line[..200] + "...";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
