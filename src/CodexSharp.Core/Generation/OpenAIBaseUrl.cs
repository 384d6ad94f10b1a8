namespace CodexSharp.Core.Generation;

/// <summary>
/// The one rule for OpenAI-compatible addresses: a user may give the server's root, its <c>/v1</c> base, or a full
/// endpoint (<c>/v1/completions</c>, <c>/v1/chat/completions</c>, <c>/v1/models</c>); every endpoint is derived
/// from the <c>/v1</c> base.
/// </summary>
public static class OpenAIBaseUrl
{
    private static readonly string[] EndpointSuffixes = ["/chat/completions", "/completions", "/models"];

    /// <summary>The <c>/v1</c> base of <paramref name="url"/>: an endpoint suffix dropped, <c>/v1</c> added when missing.</summary>
    public static Uri Normalize(Uri url)
    {
        var path = url.AbsolutePath.TrimEnd('/');
        foreach (var suffix in EndpointSuffixes)
        {
            if (!path.EndsWith(suffix, StringComparison.Ordinal)) continue;
            path = path[..^suffix.Length];
            break;
        }
        if (!path.EndsWith("/v1", StringComparison.Ordinal)) path += "/v1";
        return new UriBuilder(url) { Path = path }.Uri;
    }

    /// <summary>The endpoint <paramref name="relative"/> (e.g. <c>completions</c>) under the base of <paramref name="url"/>.</summary>
    public static Uri Endpoint(Uri url, string relative)
    {
        var root = Normalize(url);
        return new UriBuilder(root) { Path = root.AbsolutePath + "/" + relative.TrimStart('/') }.Uri;
    }
}
