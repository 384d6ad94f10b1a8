namespace CodexSharp.Serving;

/// <summary>An OpenAI-style error: <c>{"error": {"message", "type", "param", "code"}}</c> with an HTTP status.</summary>
public sealed class ApiErrorException(int status, string type, string message, string? param = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Param { get; } = param;

    public static ApiErrorException Invalid(string param, string message) => new(400, "invalid_request_error", message, param);

    public object ToBody() => new { error = new { message = Message, type = Type, param = Param, code = (string?)null } };
}
