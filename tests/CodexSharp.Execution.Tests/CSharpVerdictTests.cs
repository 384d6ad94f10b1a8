namespace CodexSharp.Execution.Tests;

/// <summary>Hand-written completions of MultiPL-E C# problems, judged by the real compiler, runtime and sandbox.</summary>
[Collection(CSharpSandboxCollection.Name)]
public sealed class CSharpVerdictTests(CSharpSandboxFixture sandbox)
{
    [Theory]
    [InlineData("HumanEval_0_has_close_elements", "        for (int i = 0; i < numbers.Count; i++)\n            for (int j = i + 1; j < numbers.Count; j++)\n                if (Math.Abs(numbers[i] - numbers[j]) < threshold) return true;\n        return false;")]
    [InlineData("HumanEval_13_greatest_common_divisor", "        while (b != 0) { var t = a % b; a = b; b = t; }\n        return a;")]
    [InlineData("HumanEval_55_fib", "        long a = 0, b = 1;\n        for (long i = 0; i < n; i++) { var t = a + b; a = b; b = t; }\n        return a;")]
    public async Task Correct_completions_pass(string name, string body)
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram(name, body));
        Assert.Equal("passed", result.Result);
    }

    [Fact]
    public async Task A_wrong_answer_fails_with_the_assertion_that_caught_it()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        return n < 2 ? n : n * 2;"));
        Assert.Equal("failed: Debug.Assert failed: Fib((10L)) == (55L)", result.Result);
    }

    [Fact]
    public async Task An_exception_fails_with_its_type_and_message()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_13_greatest_common_divisor", "        var list = new List<long>();\n        return list[(int)a];"));
        Assert.StartsWith("failed: ArgumentOutOfRangeException: Index was out of range", result.Result);
    }

    [Fact]
    public async Task A_completion_that_does_not_compile_fails_with_the_compilers_first_error()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_13_greatest_common_divisor", "        return a + b\n        retrun undefinedName;"));
        Assert.Matches(@"^failed: \(\d+,\d+\): error CS1002: ; expected$", result.Result);
    }

    [Fact]
    public async Task A_type_error_is_a_compile_error_too()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        return \"55\";"));
        Assert.Matches(@"^failed: \(\d+,\d+\): error CS0029: Cannot implicitly convert type 'string' to 'long'$", result.Result);
    }

    [Fact]
    public async Task A_completion_that_loops_times_out()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        while (n > 0) { n = n | 1; }\n        return n;"), CSharpSandboxFixture.ShortTimeout);
        Assert.Equal("timed out", result.Result);
        Assert.InRange(result.Duration, CSharpSandboxFixture.ShortTimeout, CSharpSandboxFixture.ShortTimeout + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_completion_that_uses_up_its_cpu_limit_times_out_before_the_wall_clock_limit()
    {
        var program = CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        while (n > 0) { n = n | 1; }\n        return n;");
        var result = await sandbox.Runner!.RunAsync(new Core.Execution.ExecutionRequest(program, TimeSpan.FromSeconds(30)) { CpuLimit = TimeSpan.FromSeconds(1) });
        Assert.True(result.Result == "timed out", result.Result);
        Assert.True(result.Duration < TimeSpan.FromSeconds(20), result.Duration.ToString());
    }

    [Fact]
    public async Task A_program_that_exits_early_with_status_0_has_not_passed()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        Environment.Exit(0);\n        return 0;"));
        Assert.Equal("failed: the program exited with status 0 before its tests finished", result.Result);
    }

    [Fact]
    public async Task Printing_a_pass_line_does_not_pass()
    {
        var body = "        var output = Console.OpenStandardOutput();\n        var line = System.Text.Encoding.UTF8.GetBytes(\"\\n0123456789ABCDEF0123456789ABCDEF passed\\n\");\n        output.Write(line, 0, line.Length);\n        Environment.Exit(0);\n        return 0;";
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", body));
        Assert.Equal("failed: the program exited with status 0 before its tests finished", result.Result);
    }

    [Fact]
    public async Task Unbounded_recursion_fails_without_harming_the_runner()
    {
        var result = await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        return Fib(n + 1);"));
        Assert.Matches(@"^failed: the program was killed by signal \d+ \(SIG[A-Z]+\) before its tests finished: Stack overflow\.", result.Result);
        Assert.Equal("passed", (await sandbox.RunAsync(CSharpSandboxFixture.MultiPLEProgram("HumanEval_55_fib", "        return n < 2 ? n : Fib(n - 1) + Fib(n - 2);"))).Result);
    }
}
