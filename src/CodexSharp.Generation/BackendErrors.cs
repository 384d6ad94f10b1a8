using System.Net.Sockets;
using CodexSharp.Core;
using CodexSharp.Generation.Completions;

namespace CodexSharp.Generation;

/// <summary>
/// The one place that decides what a backend's error means: which HTTP statuses and transport faults are retried,
/// which reject one request's content (that task fails, the run goes on), which are the user's to fix (exit 2),
/// and what the message says. Every backend (completions, chat) classifies through here.
/// </summary>
public static class BackendErrors
{
    private static readonly string[] ContentParams = ["prompt", "messages", "input", "inputs"];

    private static readonly string[] ContextWords =
        ["context_length", "context length", "context size", "context window", "maximum context", "too long", "too many tokens", "prompt is too"];

    private static readonly string[] SamplingParams = ["temperature", "top_p", "top_k", "max_tokens", "n", "stop", "seed", "logprobs", "best_of", "model"];

    /// <summary>An HTTP error answer as the server gave it.</summary>
    /// <param name="Source">The address asked, for messages.</param>
    /// <param name="Model">The model name sent.</param>
    /// <param name="Status">The HTTP status (0: no answer at all).</param>
    /// <param name="Body">The error body, if any (OpenAI's <c>{"error": {"message", "code", "param"}}</c> or another shape).</param>
    /// <param name="RetryAfter">The server's Retry-After, if it sent one.</param>
    public sealed record HttpFailure(string Source, string Model, int Status, string? Body, TimeSpan? RetryAfter = null);

    /// <summary>The exception a failed HTTP answer stands for.</summary>
    public static Exception FromStatus(HttpFailure failure, Exception? inner = null)
    {
        var error = HttpErrorText.Parse(failure.Body ?? "");
        var said = $"{failure.Source} answered HTTP {failure.Status}: {error.Message}";
        var status = failure.Status;
        if (status == 0) return new GenerationBackendException($"cannot reach {failure.Source}: {error.Message}", BackendFaultKind.Transient, inner: inner);
        if (status is 401 or 403)
            return new UserInputException($"{said} — the API key was refused; set the key's environment variable to a valid key.");
        if (IsUnknownModel(status, error))
            return new UserInputException($"{said} — the server does not serve a model called '{failure.Model}'; check the model name.");
        if (status == 404)
            return new UserInputException($"{said} — there is no such endpoint there; check the server's URL (e.g. http://HOST:PORT/v1).");
        if (status is 408 or 429 or >= 500)
            return new GenerationBackendException(said, BackendFaultKind.Transient, failure.RetryAfter, inner);
        if (status is 400 or 413 or 422)
        {
            if (IsAboutContent(error)) return new GenerationBackendException(said, BackendFaultKind.RequestRejected, inner: inner);
            if (error.Param is { } param && SamplingParams.Contains(param, StringComparer.OrdinalIgnoreCase))
                return new UserInputException($"{said} — the server refuses the request's '{param}'; change that setting.");
            // A 400 that names no parameter is about this request; if every task gets one, the run fails with it.
            return new GenerationBackendException(said, BackendFaultKind.RequestRejected, inner: inner);
        }
        return new GenerationBackendException(said, BackendFaultKind.Permanent, inner: inner);
    }

    /// <summary>The exception a transport fault (no HTTP answer) stands for; all are transient.</summary>
    public static GenerationBackendException FromTransport(string source, string host, Exception fault) =>
        new(TransportMessage(source, host, fault), BackendFaultKind.Transient, inner: fault);

    /// <summary>A request that took longer than its timeout.</summary>
    public static GenerationBackendException Timeout(string source, TimeSpan? limit, Exception? inner = null) =>
        new(limit is { } t ? $"{source} did not answer within {t.TotalSeconds:0.#} s." : $"{source} did not answer in time.", BackendFaultKind.Transient, inner: inner);

    /// <summary>A 2xx answer that is not what the API promises (transient: a proxy or a dying server can send one bad body).</summary>
    public static GenerationBackendException Malformed(string source, string what, string body) =>
        new($"{source} sent a reply that {what}: {HttpErrorText.Excerpt(body)}", BackendFaultKind.Transient);

    private static bool IsAboutContent(HttpErrorText.ErrorInfo error)
    {
        if (error.Code is "context_length_exceeded" or "string_above_max_length") return true;
        if (error.Param is { } param && ContentParams.Contains(param, StringComparer.OrdinalIgnoreCase)) return true;
        var lower = error.Message.ToLowerInvariant();
        return ContextWords.Any(w => lower.Contains(w, StringComparison.Ordinal));
    }

    private static bool IsUnknownModel(int status, HttpErrorText.ErrorInfo error)
    {
        if (status is not (404 or 400)) return false;
        if (error.Code is "model_not_found") return true;
        var lower = error.Message.ToLowerInvariant();
        return lower.Contains("model", StringComparison.Ordinal)
            && (lower.Contains("not found", StringComparison.Ordinal) || lower.Contains("does not exist", StringComparison.Ordinal)
                || lower.Contains("unknown", StringComparison.Ordinal) || lower.Contains("not serve", StringComparison.Ordinal));
    }

    private static string TransportMessage(string source, string host, Exception fault)
    {
        var socket = Find<SocketException>(fault);
        if (socket?.SocketErrorCode == SocketError.ConnectionRefused)
            return $"cannot reach {source}: connection refused (is the server running, and is the URL right?).";
        if (fault is IOException) return $"{source} dropped the connection ({fault.Message}).";
        return (fault as HttpRequestException)?.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot reach {source}: unknown host '{host}'.",
            HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError => $"cannot reach {source}: {Innermost(fault).Message}",
            _ => $"{source} closed the connection before answering ({Innermost(fault).Message}).",
        };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T found) return found;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
