using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

public sealed class ProblemAndSampleFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Loads_the_published_HumanEval_file()
    {
        var set = ProblemSet.Load(TestPaths.HumanEval);
        Assert.Equal(164, set.Count);
        Assert.Equal("b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef", set.Sha256);
        Assert.True(set.TryGet("HumanEval/0", out var first));
        Assert.Equal("has_close_elements", first.EntryPoint);
        Assert.EndsWith("check(has_close_elements)", first.CanonicalProgram);
        Assert.Equal("HumanEval/163", set.Problems[^1].TaskId);
    }

    [Fact]
    public void Program_is_assembled_exactly_as_human_eval_does()
    {
        var row = Fixtures.AddProblem();
        var path = Fixtures.WriteJsonl(_dir.File("p.jsonl"), [row]);
        var problem = ProblemSet.Load(path).Problems[0];
        Assert.Equal(row["prompt"] + "    return 0\n" + "\n" + row["test"] + "\n" + "check(add)", problem.ProgramFor("    return 0\n"));
    }

    [Fact]
    public void Extra_problem_fields_are_kept()
    {
        var row = Fixtures.AddProblem();
        row["plus_input"] = "kept";
        var problem = ProblemSet.Load(Fixtures.WriteJsonl(_dir.File("p.jsonl"), [row])).Problems[0];
        Assert.Equal("kept", problem.Row["plus_input"]!.GetValue<string>());
    }

    [Fact]
    public void Problem_without_entry_point_names_line_and_field()
    {
        var row = Fixtures.AddProblem();
        row.Remove("entry_point");
        var path = Fixtures.WriteJsonl(_dir.File("p.jsonl"), [Fixtures.AddProblem("A"), row]);
        Assert.Equal($"{path}:2: field 'entry_point': missing (expected a string).", Assert.Throws<UserInputException>(() => ProblemSet.Load(path)).Message);
    }

    [Fact]
    public void Duplicate_task_id_is_an_error()
    {
        var path = Fixtures.WriteJsonl(_dir.File("p.jsonl"), [Fixtures.AddProblem(), Fixtures.AddProblem()]);
        Assert.Contains("appears twice (first on line 1)", Assert.Throws<UserInputException>(() => ProblemSet.Load(path)).Message);
    }

    [Fact]
    public void Samples_keep_every_field_and_their_order()
    {
        var path = _dir.Write("s.jsonl", "{\"task_id\":\"T/1\",\"completion\":\"x\",\"mean_logprob\":-0.5}\n{\"task_id\":\"T/0\",\"completion\":\"y\"}\n");
        var samples = SampleFile.Read(path);
        Assert.Equal(["T/1", "T/0"], samples.Select(s => s.TaskId));
        Assert.Equal([0, 1], samples.Select(s => s.Index));
        Assert.Equal(-0.5, samples[0].Row["mean_logprob"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("{\"completion\":\"x\"}", "field 'task_id': missing")]
    [InlineData("{\"task_id\":\"T/0\"}", "field 'completion': missing")]
    [InlineData("{\"task_id\":\"T/0\",\"completion\":5}", "field 'completion': expected a string, found number")]
    [InlineData("{\"task_id\":null,\"completion\":\"x\"}", "field 'task_id': is null (expected a string)")]
    public void Sample_row_errors_name_line_and_field(string line, string expected)
    {
        var path = _dir.Write("s.jsonl", "{\"task_id\":\"T/0\",\"completion\":\"ok\"}\n" + line + "\n");
        var e = Assert.Throws<UserInputException>(() => SampleFile.Read(path));
        Assert.StartsWith($"{path}:2: {expected}", e.Message);
    }

    [Fact]
    public void Empty_samples_file_is_an_error() =>
        Assert.Contains("holds no samples", Assert.Throws<UserInputException>(() => SampleFile.Read(_dir.Write("e.jsonl", "\n"))).Message);

    [Fact]
    public void A_ten_megabyte_completion_is_read_whole()
    {
        var big = new string('x', 10 << 20);
        var path = Fixtures.WriteJsonl(_dir.File("big.jsonl"), [Fixtures.Sample("T/0", big)]);
        Assert.Equal(big.Length, SampleFile.Read(path)[0].Completion.Length);
    }
}
