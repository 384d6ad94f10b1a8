using System.Text.Json;

namespace CodexSharp.Generation.Completions;

/// <summary>Pulls a human-readable message out of an error body, whatever shape the server gives it.</summary>
public static class HttpErrorText
{
    /// <summary>The message of {"error": {"message": ...}}, {"error": "..."}, {"message": ...} or {"detail": ...}; else an excerpt.</summary>
    public static string FromBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return FromJson(document.RootElement) ?? Excerpt(body);
        }
        catch (JsonException)
        {
            return Excerpt(body);
        }
    }

    public static string? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String) return error.GetString();
            if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) return m.GetString();
        }
        foreach (var name in (string[])["message", "detail"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString();
        }
        return null;
    }

    /// <summary>The first 200 characters on one line, or "(empty body)".</summary>
    public static string Excerpt(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        if (line.Length == 0) return "(empty body)";
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
