using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Running;

/// <summary>
/// Samples every task up to n completions and appends each to the samples file as soon as it arrives.
/// A re-run reads the file, repairs a torn last line, and asks only for the missing sample indices, so the
/// file never holds more than n samples per task nor the same (task, index) twice. When the backend fails
/// for good, requests in flight are cancelled, everything already received stays in the file, and the
/// fault is rethrown.
/// </summary>
public sealed class GenerationRunner(ICodeGenerator generator, Action<string>? notice = null, Action<GenerationProgress>? progress = null)
{
    private readonly Action<string> _notice = notice ?? (_ => { });

    /// <param name="tasks">The prompts, in the order to sample them.</param>
    /// <param name="options">Samples per task, sampling, concurrency.</param>
    /// <param name="samplesPath">The samples file to create or continue.</param>
    /// <param name="record">The run's sidecar record (see <see cref="GenerationRecord.Build"/>); it is checked
    /// against the file's existing sidecar and written beside the samples.</param>
    /// <param name="cancellationToken">Stops the run; samples received so far stay in the file.</param>
    public async Task<GenerationRunSummary> RunAsync(IReadOnlyList<GenerationTask> tasks, GenerationRunOptions options, string samplesPath, JsonObject record, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SamplesPerTask);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Concurrency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SamplesPerRequest);
        var clock = Stopwatch.StartNew();
        var n = options.SamplesPerTask;
        var total = tasks.Count * n;

        using var journal = SamplesJournal.Open(samplesPath);
        // A sidecar beside an empty file describes samples that do not exist: only real samples must match.
        if (journal.TaskIds.Any()) GenerationRecord.CheckCompatible(samplesPath, record);
        if (journal.RepairedBytes > 0)
            _notice($"{samplesPath}: removed an incomplete last line ({journal.RepairedBytes} bytes) left by an interrupted run; that sample is generated again.");
        WarnAboutExisting(tasks, journal, n, samplesPath);

        var present = tasks.Sum(t => Math.Min(n, journal.CountFor(t.TaskId)));
        var work = Plan(tasks, journal, options).ToList();
        var written = 0;
        long tokens = 0;
        var estimated = false;
        GenerationRecord.Write(samplesPath, record, "running", InFile());
        progress?.Invoke(new GenerationProgress(present, total, 0, 0, false, clock.Elapsed));

        var status = "failed";
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(work, parallel, async (item, ct) =>
            {
                var request = new CompletionRequest(item.Task.Prompt, item.Indices.Count, options.Sampling with { Seed = SeedFor(options.Sampling.Seed, item) });
                var completions = await generator.GenerateAsync(request, ct);
                if (completions.Count < item.Indices.Count)
                    throw new GenerationBackendException($"the backend returned {completions.Count} completions for {item.Task.TaskId}, asked for {item.Indices.Count}.", isTransient: false);
                for (var k = 0; k < item.Indices.Count; k++)
                {
                    journal.Append(SampleRow.From(item.Task.TaskId, item.Indices[k], completions[k], options.Sampling.Stop));
                    var (count, guessed) = SampleRow.TokenCount(completions[k]);
                    Interlocked.Add(ref tokens, count);
                    if (guessed) estimated = true;
                    var done = Interlocked.Increment(ref written);
                    progress?.Invoke(new GenerationProgress(present + done, total, done, Interlocked.Read(ref tokens), estimated, clock.Elapsed));
                }
            });
            status = "complete";
        }
        catch (OperationCanceledException)
        {
            status = "interrupted";
            throw;
        }
        finally
        {
            GenerationRecord.Write(samplesPath, record, status, InFile());
        }
        return new GenerationRunSummary(tasks.Count, total, present, written, tokens, clock.Elapsed);

        int InFile() => journal.TaskIds.Sum(journal.CountFor);
    }

    /// <summary>The requests to make: each task's missing sample indices, in chunks of at most SamplesPerRequest.</summary>
    public static IEnumerable<WorkItem> Plan(IReadOnlyList<GenerationTask> tasks, SamplesJournal journal, GenerationRunOptions options)
    {
        foreach (var task in tasks)
        {
            var missing = journal.MissingIndices(task.TaskId, options.SamplesPerTask);
            for (var start = 0; start < missing.Count; start += options.SamplesPerRequest)
                yield return new WorkItem(task, missing.GetRange(start, Math.Min(options.SamplesPerRequest, missing.Count - start)));
        }
    }

    /// <summary>A request's seed: the user's seed moved by task and first sample index, so that split and resumed
    /// runs give each sample the same seed as one uninterrupted run, and no two requests share one.</summary>
    public static long? SeedFor(long? seed, WorkItem item)
    {
        if (seed is not { } baseSeed) return null;
        uint hash = 2166136261;
        foreach (var c in item.Task.TaskId) hash = (hash ^ c) * 16777619;
        return baseSeed + (hash % 1_000_000) * 100_000L + item.Indices[0];
    }

    private void WarnAboutExisting(IReadOnlyList<GenerationTask> tasks, SamplesJournal journal, int n, string samplesPath)
    {
        var known = tasks.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        var unknown = journal.TaskIds.Where(id => !known.Contains(id)).ToList();
        if (unknown.Count > 0)
            _notice($"{samplesPath}: {unknown.Count} task id(s) are not in the problems (e.g. '{unknown[0]}'); they are left as they are.");
        var over = tasks.Where(t => journal.CountFor(t.TaskId) > n).ToList();
        if (over.Count > 0)
            _notice($"{samplesPath}: {over.Count} task(s) already have more than {n} samples (e.g. '{over[0].TaskId}' has {journal.CountFor(over[0].TaskId)}); none are added or removed.");
    }

    /// <summary>One request: a task and the sample indices it fills.</summary>
    public sealed record WorkItem(GenerationTask Task, List<int> Indices);
}
