using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>
/// A tiny random checkpoint (<c>codexsharp model init</c>) served by the real <c>codexsharp serve</c>, started
/// as a child process on a free loopback port, for the end-to-end tests.
/// </summary>
public sealed partial class ServedTinyModel : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-served-").FullName;
    private Process? _server;
    private Task<string>? _serverErrors;

    /// <summary>The OpenAI base URL the server printed.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The name the server knows its model by.</summary>
    public string ModelName { get; private set; } = "";

    public string Spec => $"openai:{ModelName}@{BaseUrl}";

    /// <summary>The checkpoint folder (for <c>local:DIR</c>).</summary>
    public string Checkpoint => Path.Combine(_dir, "tiny");

    public async Task InitializeAsync()
    {
        var checkpoint = Checkpoint;
        var init = await GenerateProcess.RunAsync(["model", "init", "--preset", "tiny", "--out", checkpoint, "--seed", "1"]);
        if (init.ExitCode != 0) throw new InvalidOperationException("model init failed: " + init);

        var info = GenerateProcess.StartInfo(["serve", "--model", "local:" + checkpoint, "--host", "127.0.0.1", "--port", "0"]);
        _server = Process.Start(info)!;
        _server.StandardInput.Close();
        _serverErrors = _server.StandardError.ReadToEndAsync();
        var readLine = _server.StandardOutput.ReadLineAsync();
        var line = await readLine.WaitAsync(TimeSpan.FromMinutes(2));
        var match = line is null ? Match.Empty : ServingLine().Match(line);
        if (!match.Success) throw new InvalidOperationException($"serve did not start: '{line}'\n{await _serverErrors}");
        ModelName = match.Groups["name"].Value;
        BaseUrl = new Uri(match.Groups["url"].Value);
        _ = _server.StandardOutput.ReadToEndAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        _server?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"^serving (?<name>\S+) at (?<url>http://\S+)$")]
    private static partial Regex ServingLine();
}
