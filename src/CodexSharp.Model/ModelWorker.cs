using System.Threading.Channels;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model;

/// <summary>
/// The one thread that runs the model. Sampling work that is waiting when a batch starts is merged into that
/// batch (up to a row limit), so concurrent requests share forward passes instead of queueing behind each other.
/// </summary>
internal sealed class ModelWorker : IDisposable
{
    private abstract record WorkItem;
    private sealed record SampleWork(IReadOnlyList<SampleJob> Jobs, TaskCompletionSource<IReadOnlyList<SampleResult>> Done) : WorkItem;
    private sealed record ScoreWork(IReadOnlyList<int> Tokens, TaskCompletionSource<SequenceScore> Done) : WorkItem;

    private readonly Channel<WorkItem> queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GptModel model;
    private readonly BatchSampler sampler;
    private readonly int maxBatchRows;
    private readonly Thread thread;

    public ModelWorker(GptModel model, CodeTokenizer tokenizer, LocalModelOptions options)
    {
        this.model = model;
        sampler = new BatchSampler(model, tokenizer, options.UseKvCache);
        maxBatchRows = Math.Max(1, options.MaxBatchRows);
        thread = new Thread(Loop) { IsBackground = true, Name = "codexsharp-model" };
        thread.Start();
    }

    public Task<IReadOnlyList<SampleResult>> SampleAsync(IReadOnlyList<SampleJob> jobs)
    {
        var done = new TaskCompletionSource<IReadOnlyList<SampleResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new SampleWork(jobs, done))) done.SetException(new ObjectDisposedException(nameof(ModelWorker)));
        return done.Task;
    }

    public Task<SequenceScore> ScoreAsync(IReadOnlyList<int> tokens)
    {
        var done = new TaskCompletionSource<SequenceScore>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new ScoreWork(tokens, done))) done.SetException(new ObjectDisposedException(nameof(ModelWorker)));
        return done.Task;
    }

    private void Loop()
    {
        WorkItem? carried = null;
        while (true)
        {
            var item = carried;
            carried = null;
            if (item is null && !TryTakeNext(out item)) return;
            switch (item)
            {
                case ScoreWork score:
                    Complete(score.Done, () => SequenceScorer.Score(model, score.Tokens));
                    break;
                case SampleWork first:
                    var batch = new List<SampleWork> { first };
                    var rows = first.Jobs.Count;
                    while (rows < maxBatchRows && queue.Reader.TryRead(out var next))
                    {
                        if (next is SampleWork more && rows + more.Jobs.Count <= maxBatchRows)
                        {
                            batch.Add(more);
                            rows += more.Jobs.Count;
                        }
                        else
                        {
                            carried = next;
                            break;
                        }
                    }
                    RunBatch(batch);
                    break;
            }
        }
    }

    private bool TryTakeNext(out WorkItem? item)
    {
        item = null;
        while (!queue.Reader.TryRead(out item))
        {
            if (!queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return false;
        }
        return true;
    }

    private void RunBatch(List<SampleWork> batch)
    {
        IReadOnlyList<SampleResult> results;
        try
        {
            results = sampler.Run(batch.SelectMany(w => w.Jobs).ToList());
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad request (e.g. a prompt longer than the context) must not fail the others: run each alone.
            foreach (var work in batch) Complete(work.Done, () => sampler.Run(work.Jobs));
            return;
        }
        catch (Exception e)
        {
            batch[0].Done.SetException(e);
            return;
        }
        var offset = 0;
        foreach (var work in batch)
        {
            work.Done.SetResult(results.Skip(offset).Take(work.Jobs.Count).ToList());
            offset += work.Jobs.Count;
        }
    }

    private static void Complete<T>(TaskCompletionSource<T> done, Func<T> work)
    {
        try
        {
            done.SetResult(work());
        }
        catch (Exception e)
        {
            done.SetException(e);
        }
    }

    public void Dispose()
    {
        queue.Writer.TryComplete();
        thread.Join();
    }
}
