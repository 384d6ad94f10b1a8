using System.Net.Http.Headers;
using System.Text.Json;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Specs;

/// <summary>
/// Asks a server which models it serves (GET /v1/models) before a run, so that a mistyped model name is
/// pointed out even by servers that answer any name (llama.cpp, <c>codexsharp serve</c>). A server without
/// the list, or one that cannot be reached, is not judged here: the first real request reports that.
/// </summary>
public static class ServedModelCheck
{
    /// <summary>A warning when the server lists its models and <see cref="ModelSpec.Model"/> is not one of them; else null.</summary>
    public static async Task<string?> WarningAsync(ModelSpec spec, string? apiKey, CancellationToken cancellationToken = default)
    {
        if (spec.Endpoint is null) return null;
        var url = OpenAIBaseUrl.Endpoint(spec.Endpoint, "models");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) return null;
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
            var ids = data.EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : null)
                .OfType<string>()
                .ToList();
            if (ids.Count == 0 || ids.Contains(spec.Model, StringComparer.Ordinal)) return null;
            var shown = string.Join(", ", ids.Take(8)) + (ids.Count > 8 ? $" and {ids.Count - 8} more" : "");
            return $"{url} lists {shown}, not '{spec.Model}'; a server that answers any name will sample its own model, so check the model name.";
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            return null;
        }
    }
}
