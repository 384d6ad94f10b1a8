namespace CodexSharp.Serving;

/// <summary>An OpenAI-style error: <c>{"error": {"message", "type", "param", "code"}}</c> with an HTTP status.</summary>
public sealed class ApiErrorException(int status, string type, string message, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Param { get; } = param;

    /// <summary>OpenAI's machine-readable code (e.g. <c>model_not_found</c>, <c>context_length_exceeded</c>), or null.</summary>
    public string? Code { get; } = code;

    public static ApiErrorException Invalid(string param, string message, string? code = null) => new(400, "invalid_request_error", message, param, code);

    /// <summary>OpenAI's 404 for a model this server does not serve.</summary>
    public static ApiErrorException ModelNotFound(string requested, string served) =>
        new(404, "invalid_request_error", $"The model '{requested}' does not exist; this server serves '{served}'", "model", "model_not_found");

    public object ToBody() => new { error = new { message = Message, type = Type, param = Param, code = Code } };
}
