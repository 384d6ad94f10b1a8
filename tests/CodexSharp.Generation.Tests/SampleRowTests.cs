using CodexSharp.Core.Generation;
using CodexSharp.Generation.Running;

namespace CodexSharp.Generation.Tests;

public sealed class SampleRowTests
{
    [Fact]
    public void Completion_is_cut_before_the_first_stop_and_the_raw_text_is_kept()
    {
        var text = "    return a + b\n\n\ndef other():\n    pass\n";
        var row = SampleRow.From("T/0", 3, new GeneratedCompletion(text, "length"), StopSequences.Paper);
        Assert.Equal("    return a + b\n\n", row.Completion);
        Assert.Equal(text, row.RawCompletion);
        Assert.Equal("stop", row.FinishReason);
        Assert.Equal(3, row.SampleIndex);
    }

    [Fact]
    public void Text_without_a_stop_keeps_the_backend_finish_reason()
    {
        var row = SampleRow.From("T/0", 0, new GeneratedCompletion("    return 1", "length"), StopSequences.Paper);
        Assert.Equal("    return 1", row.Completion);
        Assert.Equal("length", row.FinishReason);
        Assert.Null(row.LogProbs);
        Assert.Null(row.MeanLogProb);
    }

    [Fact]
    public void Log_probabilities_cover_only_the_tokens_before_the_stop()
    {
        TokenLogProb[] tokens = [new("    ", -0.5), new("return", -1.0), new(" 1", -1.5), new("\nprint", -9.0), new("(1)", -9.0)];
        var row = SampleRow.From("T/0", 0, new GeneratedCompletion("    return 1\nprint(1)", "stop", tokens), StopSequences.Paper);
        Assert.Equal([-0.5, -1.0, -1.5], row.LogProbs!);
        Assert.Equal(-3.0, row.SumLogProb!.Value, 12);
        Assert.Equal(-1.0, row.MeanLogProb!.Value, 12);
    }

    [Fact]
    public void Chat_replies_keep_the_whole_reply_as_raw_completion()
    {
        var row = SampleRow.From("T/0", 0, new GeneratedCompletion("    return 1\n", "stop", null, "Sure:\n```python\ndef f():\n    return 1\n```"), StopSequences.Paper);
        Assert.Equal("    return 1\n", row.Completion);
        Assert.StartsWith("Sure:", row.RawCompletion);
    }

    [Fact]
    public void Json_line_has_the_human_eval_fields_and_ours()
    {
        var row = SampleRow.From("T/0", 1, new GeneratedCompletion("    return 'é'\n", "stop", [new("x", -0.125)]), StopSequences.Paper);
        var line = row.ToJsonLine();
        Assert.EndsWith("\n", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            "{\"task_id\":\"T/0\",\"completion\":\"    return 'é'\\n\",\"sample_index\":1,\"raw_completion\":\"    return 'é'\\n\",\"finish_reason\":\"stop\",\"logprobs\":[-0.125],\"mean_logprob\":-0.125,\"sum_logprob\":-0.125}\n",
            line);
    }
}
