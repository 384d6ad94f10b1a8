using System.Text.Json.Nodes;
using CodexSharp.Core.Problems;
using CodexSharp.Reporting.Chains;
using CodexSharp.Testing;

namespace CodexSharp.Reporting.Tests;

public sealed class SynthChainsTests
{
    [Fact]
    public async Task Generated_problems_pass_the_self_check_in_the_real_sandbox()
    {
        using var dir = new TempDir();
        var file = dir.File("chains.jsonl");
        var made = await CodexSharpProcess.RunAsync("datasets", "synth-chains", "--max-length", "10", "--per-length", "1", "--seed", "3", "--out", file);
        Assert.True(made.ExitCode == 0, made.ToString());
        var problems = ProblemSet.Load(file);
        Assert.Equal(Enumerable.Range(1, 10), problems.Problems.Select(p => p.Row["chain_length"]!.GetValue<int>()));

        var check = await CodexSharpProcess.RunAsync("evaluate", "--self-check", "--problems", file);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("all 10 canonical solutions pass", check.StandardOutput);
    }

    [Fact]
    public void The_same_seed_gives_the_same_problems_and_every_block_is_used()
    {
        var a = SynthChains.Generate(6, 5, 11).Select(p => p.ToJsonString()).ToList();
        var b = SynthChains.Generate(6, 5, 11).Select(p => p.ToJsonString()).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, SynthChains.Generate(6, 5, 12).Select(p => p.ToJsonString()).ToList());
        Assert.Equal(13, StringBlocks.All.Count);
        var used = SynthChains.Generate(10, 20, 1).SelectMany(p => p["chain"]!.AsArray().Select(n => n!.GetValue<string>())).ToHashSet();
        Assert.Equal(StringBlocks.All.Select(b => b.Name).ToHashSet(), used);
    }

    [Fact]
    public void A_chain_reads_as_numbered_steps_and_its_solution_applies_them_in_order()
    {
        var problem = SynthChains.Generate(3, 1, 5)[2];
        var chain = problem["chain"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(3, chain.Count);
        var blocks = chain.Select(name => StringBlocks.All.Single(b => b.Name == name)).ToList();
        var prompt = problem["prompt"]!.GetValue<string>();
        for (var i = 0; i < 3; i++) Assert.Contains($"{i + 1}. {blocks[i].Docstring}", prompt);
        Assert.Equal(string.Concat(blocks.Select(b => $"    {b.Python}\n")) + "    return s\n", problem["canonical_solution"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("remove_e", "Free bee tree", "Fr b tr")]
    [InlineData("trim_two", "abcd", "")]
    [InlineData("trim_two", "abcdefg", "cde")]
    [InlineData("drop_every_third", "abcdefg", "bcef")]
    [InlineData("first_half", "abcde", "ab")]
    [InlineData("reverse_words", "one  two three", "three two one")]
    [InlineData("drop_first_half_words", "a b c d e", "c d e")]
    [InlineData("add_apples", "hi there", "hi apples there apples")]
    [InlineData("upper_even", "abcde", "AbCdE")]
    [InlineData("remove_punctuation", "Hi! Why? Ok.", "Hi Why Ok")]
    public void Blocks_do_what_their_docstring_says(string block, string input, string expected)
    {
        Assert.Equal(expected, StringBlocks.All.Single(b => b.Name == block).Apply(input));
    }
}
