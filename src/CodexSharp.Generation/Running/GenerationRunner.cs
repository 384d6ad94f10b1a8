using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Running;

/// <summary>
/// Samples every task up to n completions and appends each to the samples file as soon as it arrives.
/// A re-run reads the file, repairs a torn last line, and asks only for the missing sample indices, so the
/// file never holds more than n samples per task nor the same (task, index) twice. A task whose request the
/// server refuses for its content (a prompt longer than the model's context) is recorded as failed to generate
/// and the run goes on; a re-run tries it again. When the backend fails for good, requests in flight are
/// cancelled, everything already received stays in the file, and the fault is rethrown.
/// </summary>
public sealed class GenerationRunner(ICodeGenerator generator, Action<string>? notice = null, Action<GenerationProgress>? progress = null)
{
    private readonly Action<string> _notice = notice ?? (_ => { });

    /// <param name="tasks">The prompts, in the order to sample them.</param>
    /// <param name="options">Samples per task, sampling, concurrency.</param>
    /// <param name="samplesPath">The samples file to create or continue.</param>
    /// <param name="record">The run's record (see <see cref="GenerationRecord.Build"/>); it is checked against the
    /// file's existing record and written beside the samples with the run's state.</param>
    /// <param name="cancellationToken">Stops the run; samples received so far stay in the file.</param>
    public async Task<GenerationRunSummary> RunAsync(IReadOnlyList<GenerationTask> tasks, GenerationRunOptions options, string samplesPath, JsonObject record, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SamplesPerTask);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Concurrency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SamplesPerRequest);
        var clock = Stopwatch.StartNew();
        var n = options.SamplesPerTask;
        var total = tasks.Count * n;

        using var journal = OpenJournal(samplesPath);
        // A record beside an empty file describes samples that do not exist: only real samples must match.
        if (journal.TaskIds.Any()) GenerationRecord.CheckCompatible(samplesPath, record);
        var (earlierFailures, earlierTruncations) = GenerationRecord.ReadState(samplesPath);
        if (journal.RepairedBytes > 0)
            _notice($"{samplesPath}: removed an incomplete last line ({journal.RepairedBytes} bytes) left by an interrupted run; that sample is generated again.");
        WarnAboutExisting(tasks, journal, n, samplesPath);

        var present = tasks.Sum(t => Math.Min(n, journal.CountFor(t.TaskId)));
        var work = Plan(tasks, journal, options).ToList();
        var attempted = work.Select(w => w.Task.TaskId).ToHashSet(StringComparer.Ordinal);
        var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var truncations = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in earlierTruncations) truncations[t.TaskId] = t.PromptTokensDropped;
        var written = 0;
        long tokens = 0;
        var estimated = false;
        GenerationRecord.Write(samplesPath, record, State(RunStatus.Running));
        progress?.Invoke(new GenerationProgress(present, total, 0, 0, false, clock.Elapsed));

        var status = RunStatus.Failed;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(work, parallel, async (item, ct) =>
            {
                var taskId = item.Task.TaskId;
                if (failures.ContainsKey(taskId)) return; // one refusal per task is enough; the next run asks again
                var request = new CompletionRequest(item.Task.Prompt, item.Indices.Count, options.Sampling with { Seed = SeedFor(options.Sampling.Seed, item) });
                IReadOnlyList<GeneratedCompletion> completions;
                try
                {
                    completions = await generator.GenerateAsync(request, ct);
                }
                catch (GenerationBackendException e) when (e.Kind == BackendFaultKind.RequestRejected)
                {
                    if (failures.TryAdd(taskId, e.Message)) _notice($"{taskId}: not generated: {e.Message}");
                    return;
                }
                if (completions.Count < item.Indices.Count)
                    throw new GenerationBackendException($"the backend returned {completions.Count} completions for {taskId}, asked for {item.Indices.Count}.", BackendFaultKind.Permanent);
                for (var k = 0; k < item.Indices.Count; k++)
                {
                    NoteTruncation(taskId, completions[k].PromptTokensDropped, truncations);
                    journal.Append(SampleRow.From(taskId, item.Indices[k], completions[k], options.Sampling.Stop));
                    var (count, guessed) = SampleRow.TokenCount(completions[k]);
                    Interlocked.Add(ref tokens, count);
                    if (guessed) estimated = true;
                    var done = Interlocked.Increment(ref written);
                    progress?.Invoke(new GenerationProgress(present + done, total, done, Interlocked.Read(ref tokens), estimated, clock.Elapsed));
                }
            });
            status = failures.IsEmpty ? RunStatus.Completed : RunStatus.Incomplete;
        }
        catch (OperationCanceledException)
        {
            status = RunStatus.Interrupted;
            throw;
        }
        finally
        {
            GenerationRecord.Write(samplesPath, record, State(status));
        }
        return new GenerationRunSummary(tasks.Count, total, present, written, tokens, clock.Elapsed, Failed(), Truncated());

        int InFile() => journal.TaskIds.Sum(journal.CountFor);

        // Earlier failures stay listed while their task still lacks samples and this run did not try it again.
        List<TaskFailure> Failed() => earlierFailures
            .Where(f => !attempted.Contains(f.TaskId) && journal.CountFor(f.TaskId) < n)
            .Concat(failures.Select(f => new TaskFailure(f.Key, f.Value)))
            .OrderBy(f => f.TaskId, StringComparer.Ordinal)
            .ToList();

        List<PromptTruncation> Truncated() => truncations.Select(t => new PromptTruncation(t.Key, t.Value)).OrderBy(t => t.TaskId, StringComparer.Ordinal).ToList();

        GenerationRunState State(string s) => new(s, InFile(), Failed(), Truncated());
    }

    /// <summary>
    /// The requests to make: each task's missing sample indices, in runs of consecutive indices of at most
    /// SamplesPerRequest. A request covers consecutive indices only, so that its k-th sample is sample
    /// (first index + k) and gets that sample's seed (see <see cref="SeedFor"/>).
    /// </summary>
    private static IEnumerable<WorkItem> Plan(IReadOnlyList<GenerationTask> tasks, SamplesJournal journal, GenerationRunOptions options)
    {
        foreach (var task in tasks)
        {
            var missing = journal.MissingIndices(task.TaskId, options.SamplesPerTask);
            var start = 0;
            for (var i = 1; i <= missing.Count; i++)
            {
                if (i < missing.Count && missing[i] == missing[i - 1] + 1 && i - start < options.SamplesPerRequest) continue;
                yield return new WorkItem(task, missing.GetRange(start, i - start));
                start = i;
            }
        }
    }

    /// <summary>
    /// A request's seed: the user's seed moved by the task and the request's first sample index. Every backend
    /// here seeds the k-th sample of a request seeded s with s + k, so sample i of a task is always seeded
    /// (user's seed + task offset + i): the same whether it was asked for alone, in a request of ten, topped
    /// up later or resumed after a crash.
    /// </summary>
    private static long? SeedFor(long? seed, WorkItem item)
    {
        if (seed is not { } baseSeed) return null;
        uint hash = 2166136261;
        foreach (var c in item.Task.TaskId) hash = (hash ^ c) * 16777619;
        return baseSeed + (hash % 1_000_000) * 100_000L + item.Indices[0];
    }

    private void NoteTruncation(string taskId, int dropped, ConcurrentDictionary<string, int> truncations)
    {
        if (dropped <= 0) return;
        // TryAdd succeeds once per task; AddOrUpdate's add factory may run in more than one racing thread.
        if (!truncations.TryAdd(taskId, dropped))
        {
            truncations.AddOrUpdate(taskId, dropped, (_, before) => Math.Max(before, dropped));
            return;
        }
        _notice($"{taskId}: the prompt is longer than the model's context; its first {dropped} tokens were dropped, so its samples were made without the start of the prompt.");
    }

    /// <exception cref="Core.UserInputException">The samples file cannot be opened for writing.</exception>
    private static SamplesJournal OpenJournal(string samplesPath)
    {
        try
        {
            return SamplesJournal.Open(samplesPath);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException and not FileNotFoundException)
        {
            throw new Core.UserInputException($"{samplesPath}: cannot be written ({e.Message}).");
        }
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
    private sealed record WorkItem(GenerationTask Task, List<int> Indices);
}
