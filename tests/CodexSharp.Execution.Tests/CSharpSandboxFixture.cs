using System.Text.Json;
using CodexSharp.Core.Execution;
using CodexSharp.Execution.CSharp;

namespace CodexSharp.Execution.Tests;

/// <summary>One real C# runner (real Roslyn, real bubblewrap, real dotnet) shared by the C# tests.</summary>
public sealed class CSharpSandboxFixture : IAsyncLifetime
{
    public static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan NormalTimeout = TimeSpan.FromSeconds(10);

    public static readonly CSharpRunnerOptions Options = new() { Workers = 2, MaxFileBytes = 16L << 20, TempDirectoryBytes = 64L << 20 };

    public CSharpProgramRunner? Runner { get; private set; }

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(SandboxFixture.SecretVariable, SandboxFixture.SecretValue);
        Runner = await CSharpProgramRunner.StartAsync(Options);
    }

    public async Task DisposeAsync()
    {
        if (Runner is not null) await Runner.DisposeAsync();
    }

    public Task<ExecutionResult> RunAsync(string program, TimeSpan? timeout = null) =>
        Runner!.RunAsync(new ExecutionRequest(program, timeout ?? NormalTimeout));

    public static string DatasetPath => Path.Combine(Testing.TestPaths.SharedDatasets, "multipl-e-humaneval-cs", "humaneval-cs-reworded.jsonl");

    /// <summary>A MultiPL-E problem's program with <paramref name="body"/> as the completion, put together as MultiPL-E does.</summary>
    public static string MultiPLEProgram(string name, string body)
    {
        var problem = Problems.Value[name];
        return problem.Prompt + body + "\n" + problem.Tests;
    }

    /// <summary>A program in MultiPL-E's shape (class Problem, Main with Debug.Assert tests) around a method and its tests.</summary>
    public static string Program(string method, string tests) => $$"""
        using System;
        using System.Collections.Generic;
        using System.Diagnostics;
        using System.Linq;
        class Problem {
        {{method}}
            public static void Main(string[] args) {
        {{tests}}
            }
        }
        """;

    private static readonly Lazy<Dictionary<string, (string Prompt, string Tests)>> Problems = new(() =>
        File.ReadLines(Path.Combine(Testing.TestPaths.SharedDatasets, "multipl-e-humaneval-cs", "humaneval-cs-reworded.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(row => row.GetProperty("name").GetString()!, row => (row.GetProperty("prompt").GetString()!, row.GetProperty("tests").GetString()!)));
}

[CollectionDefinition(Name)]
public sealed class CSharpSandboxCollection : ICollectionFixture<CSharpSandboxFixture>
{
    public const string Name = "csharp sandbox";
}
