using System.Collections.Concurrent;
using System.Text;
using CodexSharp.Core;
using CodexSharp.Model.Sampling;
using LLama;
using LLama.Common;
using LLama.Native;

namespace CodexSharp.Gguf;

/// <summary>One sample's tokens as <see cref="GgufModel.SampleAsync"/> produced them.</summary>
/// <param name="FinishReason">"stop" (end of text or the caller's stop test) or "length".</param>
internal sealed record GgufRow(List<int> Tokens, List<double> LogProbs, string FinishReason);

/// <summary>
/// A GGUF model loaded by llama.cpp (through LLamaSharp), at the level of token ids: it decodes, and this class reads
/// the logits and does everything else itself — softmax, temperature, top-k/top-p with the same nucleus selection as
/// our own models, one seeded generator per sample, log-probabilities. Sequence 0 of the context holds a prompt;
/// samples are sequences 1..R, each starting from a copy of the prompt's KV cache (llama.cpp's sequence copy), each
/// in a KV stream of its own (a non-unified cache), so a sample's attention never sees another's cells; sequence R + 1
/// is scratch (see <see cref="Decode(LLamaBatch, int)"/>). With that, a sample's logits are the same bits whatever else is in the batch
/// and whatever the thread count (tested). Calls are serialised: one context, one caller at a time.
/// </summary>
public sealed class GgufModel : IDisposable
{
    /// <summary>Most samples decoded together (llama.cpp's limit of 64 sequences, less the prompt and the scratch sequence).</summary>
    public const int MaxRows = 62;

    private static readonly ConcurrentQueue<string> NativeErrors = new();
    private static int nativeConfigured;

    private readonly LLamaWeights weights;
    private readonly LLamaContext context;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly int batchSize;
    private readonly byte[][] tokenBytes;
    private readonly int startToken;

    private GgufModel(GgufHeader header, LLamaWeights weights, LLamaContext context, int contextPerRow, int rows, int batchSize)
    {
        Header = header;
        this.weights = weights;
        this.context = context;
        Context = contextPerRow;
        Rows = rows;
        this.batchSize = batchSize;
        VocabularySize = weights.Vocab.Count;
        tokenBytes = new byte[VocabularySize][];
        var buffer = new byte[256];
        for (var id = 0; id < VocabularySize; id++)
        {
            var n = (int)weights.NativeHandle.TokenToSpan(id, buffer, 0, false);
            tokenBytes[id] = buffer.AsSpan(0, Math.Max(0, n)).ToArray();
        }
        EndOfGeneration = Enumerable.Range(0, VocabularySize).Where(id => ((LLamaToken)id).IsEndOfGeneration(weights.Vocab)).ToHashSet();
        startToken = header.Metadata.TryGetValue("tokenizer.ggml.bos_token_id", out var bos) && bos is uint b && b < VocabularySize ? (int)b
            : EndOfGeneration.Count > 0 ? EndOfGeneration.Min() : 0;
    }

    /// <summary>The token a text starts from when it has no prefix: beginning-of-text, else end-of-text.</summary>
    public int StartToken => startToken;

    public GgufHeader Header { get; }

    /// <summary>Positions one sample (or a scored text) may take.</summary>
    public int Context { get; }

    /// <summary>Most samples decoded together.</summary>
    public int Rows { get; }

    public int VocabularySize { get; }

    /// <summary>Ids that end a generation (end of text, end of turn).</summary>
    public IReadOnlySet<int> EndOfGeneration { get; }

    /// <summary>Checks the file's header, then loads it with llama.cpp.</summary>
    /// <exception cref="UserInputException">Not GGUF, truncated, or a model llama.cpp cannot load (its reason quoted).</exception>
    public static GgufModel Load(string path, GgufOptions options)
    {
        var header = GgufHeader.Read(path);
        ConfigureNative();
        var threads = options.Threads ?? Environment.ProcessorCount;
        var parameters = new ModelParams(path) { GpuLayerCount = 0 };
        LLamaWeights weights;
        lock (NativeErrors)
        {
            NativeErrors.Clear();
            try
            {
                weights = LLamaWeights.LoadFromFile(parameters);
            }
            catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException or LLama.Exceptions.RuntimeError)
            {
                var reason = string.Join("; ", NativeErrors.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct().Take(3));
                var architecture = header.Architecture.Length > 0 ? $" (architecture '{header.Architecture}')" : "";
                throw new UserInputException($"{path}: llama.cpp cannot load this model{architecture}: {(reason.Length > 0 ? reason : e.Message)}");
            }
        }
        var trained = weights.ContextSize > 0 ? weights.ContextSize : options.MaxContext;
        var perRow = Math.Min(trained, options.MaxContext);
        // llama.cpp holds at most 64 sequences in a context: 62 samples, the prompt and the scratch sequence.
        var rows = Math.Clamp(options.MaxBatchRows, 1, MaxRows);
        var batch = Math.Min(perRow, 512);
        // float32 keys and values for llama.cpp's gpt2 models (ours: parity with TorchSharp); llama.cpp's float16 for the
        // rest, whose caches are large (a 1.3B model at 1,024 positions × 34 sequences: 7 GB in float16).
        var cacheType = header.Architecture == "gpt2" ? GGMLType.GGML_TYPE_F32 : GGMLType.GGML_TYPE_F16;
        var contextParameters = parameters with
        {
            ContextSize = (uint)(perRow * (rows + 2)),
            SeqMax = (uint)(rows + 2),
            KVUnified = false,
            BatchSize = (uint)Math.Max(batch, rows),
            UBatchSize = (uint)Math.Max(batch, rows),
            Threads = threads,
            BatchThreads = threads,
            TypeK = cacheType,
            TypeV = cacheType,
            FlashAttention = false,
        };
        try
        {
            var context = weights.CreateContext(contextParameters);
            return new GgufModel(header, weights, context, perRow, rows, Math.Max(batch, rows));
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Token ids of <paramref name="text"/> by the model's own tokenizer, every character taken as text (special tokens
    /// are not parsed). With <paramref name="start"/> the text begins a sequence: a model whose vocabulary asks for it
    /// (<c>tokenizer.ggml.add_bos_token</c>, e.g. DeepSeek-Coder) gets its beginning-of-text token first.
    /// </summary>
    public int[] Tokenize(string text, bool start = false)
    {
        var bos = start && weights.Vocab.ShouldAddBOS;
        if (text.Length == 0) return bos ? [startToken] : [];
        return weights.NativeHandle.Tokenize(text, bos, false, Encoding.UTF8).Select(t => (int)t).ToArray();
    }

    /// <summary>The bytes a token stands for (special tokens: none).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => tokenBytes[id];

    /// <summary>The text of <paramref name="ids"/> (bytes joined, then decoded as UTF-8).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids) bytes.AddRange(tokenBytes[id]);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Metadata the file stores, by key (e.g. <c>tokenizer.chat_template</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => weights.Metadata;

    /// <summary>
    /// The conversation as the model was trained to read it: the chat template stored in the file
    /// (<c>tokenizer.chat_template</c>), applied by llama.cpp, ending where the assistant's reply begins.
    /// </summary>
    /// <exception cref="UserInputException">The file has no chat template, or one llama.cpp does not know.</exception>
    public string ApplyChatTemplate(IEnumerable<(string Role, string Content)> messages)
    {
        if (!Metadata.ContainsKey("tokenizer.chat_template"))
            throw new UserInputException($"{Header.Path}: has no chat template (tokenizer.chat_template); a base model is run with gguf:PATH, which continues the prompt.");
        LLamaTemplate template;
        try
        {
            template = new LLamaTemplate(weights, strict: true) { AddAssistant = true };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or LLama.Exceptions.RuntimeError)
        {
            throw new UserInputException($"{Header.Path}: llama.cpp does not know its chat template ({e.Message.TrimEnd('.')}).");
        }
        foreach (var (role, content) in messages) template.Add(role, content);
        return Encoding.UTF8.GetString(template.Apply());
    }

    /// <summary>
    /// log p(tokens[i] | tokens[..i]) for i in [<paramref name="from"/>, count), with the model's untempered
    /// distribution. <paramref name="from"/> is at least 1 and the tokens fit <see cref="Context"/>.
    /// </summary>
    public async Task<double[]> ScoreAsync(IReadOnlyList<int> tokens, int from, CancellationToken cancellationToken = default)
    {
        if (from < 1 || from > tokens.Count) throw new ArgumentOutOfRangeException(nameof(from));
        if (tokens.Count > Context) throw new UserInputException($"{tokens.Count} tokens do not fit the model's context of {Context}");
        await gate.WaitAsync(cancellationToken);
        try
        {
            var handle = context.NativeHandle;
            handle.MemoryClear(true);
            var scores = new double[tokens.Count - from];
            var batch = new LLamaBatch();
            for (var start = 0; start < tokens.Count - 1; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                batch.Clear();
                var end = Math.Min(tokens.Count - 1, start + batchSize);
                var outputs = new List<(int Index, int Position)>();
                for (var position = start; position < end; position++)
                {
                    var wanted = position + 1 >= from;
                    var index = batch.Add(tokens[position], position, LLamaSeqId.Zero, wanted);
                    if (wanted) outputs.Add((index, position));
                }
                Decode(batch, outputs.Count);
                foreach (var (index, position) in outputs)
                {
                    var logits = handle.GetLogitsIth(index);
                    scores[position + 1 - from] = logits[tokens[position + 1]] - LogSumExp(logits);
                }
            }
            return scores;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Samples one continuation of <paramref name="prompt"/> per entry of <paramref name="rows"/>, at most <see cref="Rows"/>
    /// at a time (more are done in turns, each decoding the prompt afresh). A row ends at an end-of-generation token
    /// (not included), when <paramref name="stop"/> says its tokens so far end it, or after <paramref name="maxTokens"/>.
    /// </summary>
    internal async Task<IReadOnlyList<GgufRow>> SampleAsync(IReadOnlyList<int> prompt, IReadOnlyList<(RowSampling Sampling, Random Random)> rows, int maxTokens,
        Func<List<int>, bool> stop, CancellationToken cancellationToken)
    {
        if (prompt.Count == 0) throw new ArgumentException("empty prompt", nameof(prompt));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var handle = context.NativeHandle;
            var batch = new LLamaBatch();
            var results = new GgufRow[rows.Count];
            for (var turn = 0; turn < rows.Count; turn += Rows)
            {
                // Each turn starts from an empty cache, so that its samples' cells lie where a first turn's do.
                handle.MemoryClear(true);
                float[] first = [];
                for (var start = 0; start < prompt.Count; start += batchSize)
                {
                    batch.Clear();
                    var end = Math.Min(prompt.Count, start + batchSize);
                    var last = -1;
                    for (var position = start; position < end; position++) last = batch.Add(prompt[position], position, LLamaSeqId.Zero, position == prompt.Count - 1);
                    Decode(batch, end == prompt.Count ? 1 : 0);
                    if (end == prompt.Count) first = handle.GetLogitsIth(last).ToArray();
                }
                var count = Math.Min(Rows, rows.Count - turn);
                for (var r = 1; r <= count; r++) handle.MemorySequenceCopy(LLamaSeqId.Zero, (LLamaSeqId)r, -1, -1);
                var own = Enumerable.Range(0, count).Select(r => new List<int>()).ToArray();
                var logProbs = Enumerable.Range(0, count).Select(r => new List<double>()).ToArray();
                var finish = new string?[count];
                var logits = Enumerable.Range(0, count).Select(_ => first).ToArray();
                var filled = Enumerable.Repeat(prompt.Count, count).ToArray(); // positions in each row's cache
                for (var step = 0; ; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Each row's choice depends only on its logits and its own generator: rows are chosen in parallel.
                    var choices = new (int Token, double LogProb)[count];
                    var uniforms = new double[count];
                    for (var r = 0; r < count; r++) uniforms[r] = finish[r] is null && step < maxTokens ? rows[turn + r].Random.NextDouble() : 0;
                    Parallel.For(0, count, r =>
                    {
                        if (finish[r] is null && step < maxTokens) choices[r] = Choose(logits[r], rows[turn + r].Sampling, uniforms[r]);
                    });
                    for (var r = 0; r < count; r++)
                    {
                        if (finish[r] is not null) continue;
                        if (step >= maxTokens)
                        {
                            finish[r] = "length";
                            continue;
                        }
                        var (token, logProb) = choices[r];
                        if (EndOfGeneration.Contains(token))
                        {
                            finish[r] = "stop";
                            continue;
                        }
                        own[r].Add(token);
                        logProbs[r].Add(logProb);
                        if (stop(own[r])) finish[r] = "stop";
                        else if (prompt.Count + own[r].Count >= Context) finish[r] = "length";
                    }
                    if (finish.All(f => f is not null)) break;
                    // Finished rows stay in the batch with a filler token until the turn ends: llama.cpp's result for a
                    // row changed in its last bits when a row beside it left the batch (measured), so the batch keeps its shape.
                    var fed = Enumerable.Range(0, count).Where(r => filled[r] < Context).ToList();
                    batch.Clear();
                    var indices = new int[count];
                    foreach (var r in fed)
                    {
                        var token = finish[r] is null ? own[r][^1] : startToken;
                        indices[r] = batch.Add(token, filled[r]++, (LLamaSeqId)(r + 1), true);
                    }
                    Decode(batch, fed.Count);
                    for (var r = 0; r < count; r++)
                    {
                        if (finish[r] is null) logits[r] = handle.GetLogitsIth(indices[r]).ToArray();
                    }
                }
                for (var r = 0; r < count; r++) results[turn + r] = new GgufRow(own[r], logProbs[r], finish[r]!);
            }
            return results;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The row's token and its log-probability under the untempered logits.</summary>
    internal static (int Token, double LogProb) Choose(ReadOnlySpan<float> logits, RowSampling sampling, double uniform)
    {
        var max = float.NegativeInfinity;
        var best = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            if (logits[i] > max)
            {
                max = logits[i];
                best = i;
            }
        }
        var normaliser = LogSumExp(logits);
        if (sampling.Greedy) return (best, logits[best] - normaliser);
        var probs = new float[logits.Length];
        var inverse = 1 / sampling.Temperature;
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            var p = Math.Exp((logits[i] - max) * inverse);
            probs[i] = (float)p;
            sum += p;
        }
        var scale = (float)(1 / sum);
        for (var i = 0; i < probs.Length; i++) probs[i] *= scale;
        var token = NucleusSelection.Sample(probs, sampling.TopP, sampling.TopK, uniform);
        return (token, logits[token] - normaliser);
    }

    /// <summary>log Σ exp(logits), summed in id order in double precision.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var z in logits) max = Math.Max(max, z);
        var sum = 0.0;
        foreach (var z in logits) sum += Math.Exp(z - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// Decodes a batch that asks for <paramref name="outputs"/> logits. llama.cpp multiplies a single row by another
    /// kernel than two or more, which rounds differently (measured: 3e-4 in a log-probability); a batch asking for one
    /// output gets a second, throw-away token in the scratch sequence, so every logit comes from the same kernel.
    /// </summary>
    private void Decode(LLamaBatch batch, int outputs)
    {
        var padded = outputs == 1;
        if (padded) batch.Add(startToken, 0, (LLamaSeqId)(Rows + 1), true);
        var result = context.NativeHandle.Decode(batch);
        if (padded) context.NativeHandle.MemorySequenceRemove((LLamaSeqId)(Rows + 1), -1, -1);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp could not decode a batch of {batch.TokenCount} tokens: {result}");
    }

    /// <summary>Routes llama.cpp's log to a queue (errors and warnings only), read when a load fails.</summary>
    private static void ConfigureNative()
    {
        if (Interlocked.Exchange(ref nativeConfigured, 1) != 0) return;
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level is LLamaLogLevel.Error or LLamaLogLevel.Warning)
            {
                NativeErrors.Enqueue(message);
                while (NativeErrors.Count > 50) NativeErrors.TryDequeue(out _);
            }
        });
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
        gate.Dispose();
    }
}
