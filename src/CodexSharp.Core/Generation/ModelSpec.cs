namespace CodexSharp.Core.Generation;

/// <summary>The kinds of model a <c>--model</c> specification can name.</summary>
public enum ModelSpecKind
{
    /// <summary><c>openai:MODEL[@URL]</c>: an OpenAI-compatible text completions server (/v1/completions).</summary>
    OpenAICompletions,
    /// <summary><c>chat:MODEL[@URL]</c>: an OpenAI-compatible chat model (/v1/chat/completions).</summary>
    Chat,
    /// <summary><c>ollama:MODEL[@URL]</c>: a chat model served by Ollama (its OpenAI-compatible endpoint).</summary>
    Ollama,
    /// <summary><c>local:DIR</c>: one of our own checkpoints.</summary>
    Local,
    /// <summary><c>hf:DIR</c>: a Hugging Face GPT-2-style folder (config.json + *.safetensors).</summary>
    HuggingFace,
    /// <summary><c>gguf:PATH</c>: a GGUF model file run in process by llama.cpp.</summary>
    Gguf,
    /// <summary><c>gguf-chat:PATH</c>: an instruction-tuned GGUF model, asked as a chat model through the chat template stored in the file.</summary>
    GgufChat,
}

/// <summary>
/// A parsed model specification (the command line's <c>--model</c>), parsed once and passed on typed.
/// <see cref="Model"/> is the model name for server kinds and the folder for local kinds; <see cref="Endpoint"/>
/// is the server's <c>/v1</c> base address (see <see cref="OpenAIBaseUrl"/>; null for local kinds).
/// </summary>
public sealed record ModelSpec(ModelSpecKind Kind, string Model, Uri? Endpoint, string Text)
{
    /// <summary>OpenAI's own API, used when <c>openai:</c> or <c>chat:</c> names no URL.</summary>
    public static Uri OpenAIEndpoint { get; } = new("https://api.openai.com/v1");

    /// <summary>Ollama's local address; $OLLAMA_HOST overrides it as it does for Ollama itself.</summary>
    private static Uri DefaultOllamaEndpoint(Func<string, string?> environment)
    {
        var host = environment("OLLAMA_HOST");
        if (string.IsNullOrWhiteSpace(host)) return new Uri("http://127.0.0.1:11434/v1");
        if (!host.Contains("://", StringComparison.Ordinal)) host = "http://" + host;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var url) || url.Host.Length == 0)
            throw new ConfigException("model", $"$OLLAMA_HOST '{host}' is not an address like 127.0.0.1:11434.");
        return OpenAIBaseUrl.Normalize(url);
    }

    /// <summary>The forms a specification takes, for messages.</summary>
    public const string Forms = "openai:MODEL@URL, chat:MODEL@URL, ollama:MODEL, local:DIR, hf:DIR, gguf:PATH, gguf-chat:PATH, default or default-docstring";

    /// <summary>
    /// The models that ship in the repository's <c>models/</c> folder, by the name <c>--model</c> accepts:
    /// <c>default</c> is the Codex-S model, <c>default-docstring</c> its Codex-D sibling.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ShippedModels { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["default"] = "codexsharp-7m",
        ["default-docstring"] = "codexsharp-7m-docstring",
    };

    /// <summary>
    /// The folder that holds the shipped models: <c>$CODEXSHARP_MODELS</c> when set, else the first <c>models/</c>
    /// folder found walking up from the program's own folder (the repository the program was built in).
    /// </summary>
    public static string? ShippedModelsDirectory(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("CODEXSHARP_MODELS") is { Length: > 0 } set) return Path.GetFullPath(set);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var models = Path.Combine(dir.FullName, "models");
            if (File.Exists(Path.Combine(models, ShippedModels["default"], "config.json"))) return models;
        }
        return null;
    }

    /// <summary>True for models run in this process (<c>local:</c>, <c>hf:</c>, <c>gguf:</c>).</summary>
    public bool IsLocal => Kind is ModelSpecKind.Local or ModelSpecKind.HuggingFace or ModelSpecKind.Gguf or ModelSpecKind.GgufChat;

    /// <summary>True for GGUF files run by llama.cpp (<c>gguf:</c>, <c>gguf-chat:</c>).</summary>
    public bool IsGguf => Kind is ModelSpecKind.Gguf or ModelSpecKind.GgufChat;

    /// <summary>Parses <paramref name="text"/>; the URL is optional for openai:, chat: and ollama:.</summary>
    /// <exception cref="ConfigException">The text is not one of the documented forms (field <c>model</c>).</exception>
    public static ModelSpec Parse(string text, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw Error(text, "is empty");
        if (ShippedModels.TryGetValue(trimmed, out var shipped))
        {
            var root = ShippedModelsDirectory(environment)
                       ?? throw Error(text, "names the shipped model, but no models/ folder holding it was found above the program or in $CODEXSHARP_MODELS");
            return new ModelSpec(ModelSpecKind.Local, Path.Combine(root, shipped), null, text);
        }
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw Error(text, "has no backend prefix");
        var scheme = trimmed[..colon].ToLowerInvariant();
        var rest = trimmed[(colon + 1)..];
        return scheme switch
        {
            "openai" => Server(ModelSpecKind.OpenAICompletions, rest, OpenAIEndpoint, text),
            "chat" => Server(ModelSpecKind.Chat, rest, OpenAIEndpoint, text),
            "ollama" => Server(ModelSpecKind.Ollama, rest, DefaultOllamaEndpoint(environment), text),
            "local" => Folder(ModelSpecKind.Local, rest, text),
            "hf" => Folder(ModelSpecKind.HuggingFace, rest, text),
            "gguf" => Folder(ModelSpecKind.Gguf, rest, text),
            "gguf-chat" => Folder(ModelSpecKind.GgufChat, rest, text),
            "http" or "https" => throw Error(text, "is a URL; put the model name first, e.g. openai:MODEL@" + trimmed),
            _ => throw Error(text, $"names an unknown backend '{scheme}'"),
        };
    }

    public override string ToString() => Text;

    private static ModelSpec Server(ModelSpecKind kind, string rest, Uri defaultEndpoint, string text)
    {
        // Model names may hold ':' (Ollama tags) and, rarely, '@'; the URL is what follows the last '@' that starts one.
        var at = rest.LastIndexOf('@');
        var model = rest;
        var endpoint = defaultEndpoint;
        if (at >= 0 && LooksLikeUrl(rest[(at + 1)..]))
        {
            model = rest[..at];
            var url = rest[(at + 1)..];
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) || parsed.Host.Length == 0)
                throw Error(text, $"has a URL that is not a valid http(s) address: '{url}'");
            endpoint = OpenAIBaseUrl.Normalize(parsed);
        }
        else if (at >= 0 && at == rest.Length - 1)
        {
            throw Error(text, "ends with '@' but gives no URL");
        }
        else if (at >= 0)
        {
            throw Error(text, $"has '{rest[(at + 1)..]}' after '@', which is not an http:// or https:// URL");
        }
        if (model.Trim().Length == 0) throw Error(text, "gives no model name");
        return new ModelSpec(kind, model.Trim(), endpoint, text);
    }

    private static ModelSpec Folder(ModelSpecKind kind, string rest, string text)
    {
        if (rest.Trim().Length == 0) throw Error(text, "gives no folder");
        return new ModelSpec(kind, rest.Trim(), null, text);
    }

    private static bool LooksLikeUrl(string s) =>
        s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static ConfigException Error(string text, string problem) =>
        new("model", $"'{text}' {problem}; expected {Forms}.");
}
