using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Completions;

/// <summary>
/// Continues prompts through an OpenAI-compatible <c>/v1/completions</c> endpoint. Asks for n choices per
/// request, splits n over several requests when the server caps it (a known cap, or one learned from a
/// server that returned fewer choices than asked), and merges them.
/// </summary>
public sealed class OpenAICompletionsGenerator : ICodeGenerator
{
    private readonly OpenAICompletionsOptions _options;
    private readonly HttpClient _http;
    private readonly Action<string> _notice;
    private readonly string _source;
    private int? _learnedCap;

    /// <param name="options">Where the server is and which model to ask for.</param>
    /// <param name="apiKey">Sent as a bearer token when not null; never stored anywhere else.</param>
    /// <param name="notice">Told once about things worth knowing that do not stop the run.</param>
    public OpenAICompletionsGenerator(OpenAICompletionsOptions options, string? apiKey = null, Action<string>? notice = null)
    {
        _options = options;
        _notice = notice ?? (_ => { });
        _source = options.CompletionsUrl.ToString();
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (apiKey is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string ModelName => _options.Model;

    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        var results = new List<GeneratedCompletion>(request.N);
        while (results.Count < request.N)
        {
            var ask = Math.Min(request.N - results.Count, Cap ?? int.MaxValue);
            var seed = request.Sampling.Seed + results.Count;
            IReadOnlyList<GeneratedCompletion> got;
            try
            {
                got = await RequestAsync(request.Prompt, ask, request.Sampling with { Seed = seed }, cancellationToken);
            }
            catch (TooManyChoicesException)
            {
                // The server refused this n (codexsharp serve takes at most 200): ask for half as many from now on.
                LearnCap(Math.Max(1, ask / 2), ask, refused: true);
                continue;
            }
            if (got.Count == 0)
                throw new GenerationBackendException($"{_source} returned no choices (asked for {ask}).", BackendFaultKind.Transient);
            if (got.Count < ask) LearnCap(got.Count, ask);
            results.AddRange(got.Take(request.N - results.Count));
        }
        return results;
    }

    public void Dispose() => _http.Dispose();

    private int? Cap => _learnedCap is { } learned && (_options.MaxChoicesPerRequest is null || learned < _options.MaxChoicesPerRequest) ? learned : _options.MaxChoicesPerRequest;

    private void LearnCap(int got, int asked, bool refused = false)
    {
        if (_learnedCap is not null && _learnedCap <= got) return;
        _learnedCap = got;
        _notice(refused
            ? $"{_source} refused n = {asked} (400, param n); asking for at most {got} per request from now on."
            : $"{_source} returned {got} of {asked} choices asked for; asking for at most {got} per request from now on.");
    }

    /// <summary>A 400 that names the parameter <c>n</c>: the server takes fewer choices per request than were asked for.</summary>
    private sealed class TooManyChoicesException : Exception;

    private static bool RefusesN(int status, string body)
    {
        if (status != 400) return false;
        try
        {
            return JsonNode.Parse(body)?["error"]?["param"]?.GetValue<string>() == "n";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The JSON body of one request.</summary>
    private JsonObject RequestBody(string prompt, int n, SamplingOptions sampling)
    {
        var stops = _options.MaxStopSequences is { } max ? sampling.Stop.Take(max) : sampling.Stop;
        var body = new JsonObject
        {
            ["model"] = _options.Model,
            ["prompt"] = prompt,
            ["n"] = n,
            ["max_tokens"] = sampling.MaxTokens,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
        };
        var stopArray = new JsonArray();
        foreach (var stop in stops) stopArray.Add(stop);
        if (stopArray.Count > 0) body["stop"] = stopArray;
        if (sampling.TopK is { } k) body["top_k"] = k;
        if (sampling.Seed is { } seed) body["seed"] = seed;
        if (sampling.LogProbs) body["logprobs"] = 1;
        return body;
    }

    private async Task<IReadOnlyList<GeneratedCompletion>> RequestAsync(string prompt, int n, SamplingOptions sampling, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        var json = RequestBody(prompt, n, sampling).ToJsonString();
        try
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(_options.CompletionsUrl, content, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                if (n > 1 && RefusesN((int)response.StatusCode, body)) throw new TooManyChoicesException();
                throw StatusError(response, body);
            }
            return CompletionsReply.Parse(body, prompt, _source);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw BackendErrors.Timeout(_source, _options.RequestTimeout, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw BackendErrors.FromTransport(_source, _options.Endpoint.Host, e);
        }
    }

    private Exception StatusError(HttpResponseMessage response, string body) =>
        BackendErrors.FromStatus(new BackendErrors.HttpFailure(_source, _options.Model, (int)response.StatusCode, body, RetryAfter(response)));

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }
}
