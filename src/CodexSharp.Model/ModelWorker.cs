using System.Threading.Channels;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model;

/// <summary>
/// The one thread that runs the model. Sampling work that is waiting when a batch starts is merged into that
/// batch (up to a row limit), so concurrent requests share forward passes instead of queueing behind each other.
/// Cancelled work is answered at once: waiting work is dropped when its turn comes, and running rows leave their
/// batch at the next step (the sampler checks each job's token), freeing their share of the KV cache.
/// </summary>
internal sealed class ModelWorker : IDisposable
{
    private abstract record WorkItem;
    private sealed record SampleWork(IReadOnlyList<SampleJob> Jobs, TaskCompletionSource<IReadOnlyList<SampleResult>> Done, CancellationToken Cancellation) : WorkItem;
    private sealed record ScoreWork(IReadOnlyList<(IReadOnlyList<int> Tokens, int From)> Sequences, TaskCompletionSource<IReadOnlyList<double[]>> Done) : WorkItem;

    private readonly Channel<WorkItem> queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GptModel model;
    private readonly BatchSampler sampler;
    private readonly int maxBatchRows;
    private readonly Thread thread;
    private int queuedRows;
    private long cancelledRows;

    public ModelWorker(GptModel model, CodeTokenizer tokenizer, LocalModelOptions options)
    {
        this.model = model;
        sampler = new BatchSampler(model, tokenizer, options.UseKvCache);
        maxBatchRows = Math.Max(1, options.MaxBatchRows);
        thread = new Thread(Loop) { IsBackground = true, Name = "codexsharp-model" };
        thread.Start();
    }

    /// <summary>Rows waiting for a batch.</summary>
    public int QueuedRows => Volatile.Read(ref queuedRows);

    /// <summary>Rows decoding in the running batch.</summary>
    public int ActiveRows => sampler.ActiveRows;

    /// <summary>Rows dropped so far because their work was cancelled, waiting or running.</summary>
    public long CancelledRows => Interlocked.Read(ref cancelledRows);

    /// <param name="jobs">Rows to sample; each job's <see cref="SampleJob.Cancellation"/> should be <paramref name="cancellationToken"/>.</param>
    public Task<IReadOnlyList<SampleResult>> SampleAsync(IReadOnlyList<SampleJob> jobs, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<IReadOnlyList<SampleResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Add(ref queuedRows, jobs.Count);
        if (!queue.Writer.TryWrite(new SampleWork(jobs, done, cancellationToken)))
        {
            Interlocked.Add(ref queuedRows, -jobs.Count);
            done.SetException(new ObjectDisposedException(nameof(ModelWorker)));
            return done.Task;
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return done.Task;
    }

    public async Task<SequenceScore> ScoreAsync(IReadOnlyList<int> tokens)
    {
        if (tokens.Count <= 1) return SequenceScorer.Score(model, tokens); // no forward pass: nothing to predict
        var scores = await ScoreBatchAsync([(tokens, 1)]);
        return new SequenceScore(tokens, scores[0]);
    }

    /// <summary>log p of each sequence's tokens from its From-th on, in one forward pass (see <see cref="SequenceScorer.ScoreBatch"/>).</summary>
    public Task<IReadOnlyList<double[]>> ScoreBatchAsync(IReadOnlyList<(IReadOnlyList<int> Tokens, int From)> sequences)
    {
        var done = new TaskCompletionSource<IReadOnlyList<double[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new ScoreWork(sequences, done))) done.SetException(new ObjectDisposedException(nameof(ModelWorker)));
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
                    Complete(score.Done, () => SequenceScorer.ScoreBatch(model, score.Sequences));
                    break;
                case SampleWork first:
                    Dequeued(first);
                    if (DropIfCancelled(first)) break;
                    var batch = new List<SampleWork> { first };
                    var rows = first.Jobs.Count;
                    while (rows < maxBatchRows && queue.Reader.TryRead(out var next))
                    {
                        if (next is SampleWork more && rows + more.Jobs.Count <= maxBatchRows)
                        {
                            Dequeued(more);
                            if (DropIfCancelled(more)) continue;
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

    private void Dequeued(SampleWork work) => Interlocked.Add(ref queuedRows, -work.Jobs.Count);

    private bool DropIfCancelled(SampleWork work)
    {
        if (!work.Cancellation.IsCancellationRequested) return false;
        Interlocked.Add(ref cancelledRows, work.Jobs.Count);
        work.Done.TrySetCanceled(work.Cancellation);
        return true;
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
            foreach (var work in batch.Where(w => !DropIfCancelled(w))) Finish(work, () => sampler.Run(work.Jobs));
            return;
        }
        catch (Exception e)
        {
            batch[0].Done.TrySetException(e);
            return;
        }
        var offset = 0;
        foreach (var work in batch)
        {
            var own = results.Skip(offset).Take(work.Jobs.Count).ToList();
            offset += work.Jobs.Count;
            Finish(work, () => own);
        }
    }

    private void Finish(SampleWork work, Func<IReadOnlyList<SampleResult>> run)
    {
        try
        {
            var results = run();
            var cancelled = results.Count(r => ReferenceEquals(r, SampleResult.Cancelled));
            Interlocked.Add(ref cancelledRows, cancelled);
            if (cancelled > 0) work.Done.TrySetCanceled(work.Cancellation);
            else work.Done.TrySetResult(results);
        }
        catch (Exception e)
        {
            work.Done.TrySetException(e);
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
