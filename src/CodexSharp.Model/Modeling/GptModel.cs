using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// A GPT-2-style decoder. Parameter names are GPT-2's checkpoint keys (<c>transformer.wte.weight</c>,
/// <c>transformer.h.0.attn.c_attn.weight</c>, …); the output head is tied to the token embedding, so there is
/// no separate <c>lm_head.weight</c>. With <see cref="GptConfig.HeadTokens"/> the head scores only those rows of the
/// embedding plus one learned row, <c>rare_head</c>, for every other id (see <see cref="HeadLogits"/>).
/// </summary>
public sealed class GptModel : nn.Module
{
#pragma warning disable CA2213 // registered submodules: nn.Module.Dispose disposes them
    private readonly GptTransformer transformer;
    private readonly Parameter? rare_head; // (1, C): the head row of the rare-token bucket (frequent-token head only)
#pragma warning restore CA2213

    // Frequent-token head (see FrequentHead): the ids it scores (S), and each id's head row (V; S = the bucket).
    private readonly Tensor? headIds;
    private readonly Tensor? headRowOf;

    // The output head transposed to (C, V) and contiguous, kept while the weights are frozen (see HeadLogits).
    private Tensor? frozenHead;

    static GptModel() => TorchRuntime.EnsureInitialized();

    public GptModel(GptConfig config) : base(nameof(GptModel))
    {
        Config = config;
        transformer = new GptTransformer(config);
        if (config.HeadTokens is not null) rare_head = nn.Parameter(zeros(1, config.Width));
        RegisterComponents();
        // Set after RegisterComponents: constants of the shape, not weights (a checkpoint holds them in config.json).
        if (config.HeadTokens is { } ids)
        {
            headIds = tensor(ids.Select(id => (long)id).ToArray(), ScalarType.Int64);
            var rowOf = Enumerable.Repeat((long)ids.Length, config.VocabSize).ToArray();
            for (var row = 0; row < ids.Length; row++) rowOf[ids[row]] = row;
            headRowOf = tensor(rowOf, ScalarType.Int64);
            FrequentHead = new FrequentHead(ids, config.VocabSize);
        }
    }

    public GptConfig Config { get; }

    /// <summary>The frequent-token head's layout, or null when the head scores every id.</summary>
    public FrequentHead? FrequentHead { get; }

    /// <summary>The element type of the weights (float32, or bfloat16 after <see cref="ToBFloat16"/>).</summary>
    public ScalarType DType => transformer.TokenEmbedding.dtype;

    /// <summary>
    /// A model with GPT-2's initialisation: weights normal(0, 0.02), residual projections scaled by 1/√(2·layers),
    /// biases 0, LayerNorm gains 1. Every number comes from a generator of its own seeded with <paramref name="seed"/>,
    /// so models made at the same time on other threads do not change each other's weights.
    /// </summary>
    public static GptModel CreateRandom(GptConfig config, long seed)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        var model = new GptModel(config);
        using var noGrad = no_grad();
        var residualStd = 0.02 / Math.Sqrt(2.0 * config.Layers);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.Contains(".ln_", StringComparison.Ordinal)) continue; // LayerNorm: gain 1, bias 0 from construction
            if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else
            {
                using var draw = randn(parameter.shape, parameter.dtype, generator: generator);
                parameter.copy_(draw).mul_(name.EndsWith("c_proj.weight", StringComparison.Ordinal) ? residualStd : 0.02);
            }
        }
        model.eval();
        return model;
    }

    /// <summary>Casts every weight to bfloat16 (≈4x faster matmuls on CPUs with AVX-512 BF16; logits stay close, see the benchmark).</summary>
    public GptModel ToBFloat16()
    {
        DropFrozenHead();
        this.to(ScalarType.BFloat16);
        return this;
    }

    /// <summary>Logits for each position, or only for the last one.</summary>
    /// <param name="tokens">(B, T) int64 ids.</param>
    /// <param name="positions">(B, T) position ids, or null for Length .. Length+T-1 of the cache (0 .. T-1 without one).</param>
    /// <param name="mask">(B, 1, T, S) true where attention is allowed; null means causal over the cache and the new tokens.</param>
    /// <param name="cache">Keys and values of earlier positions; this call appends T positions to it.</param>
    /// <param name="lastOnly">Return (B, 1, V) for the last position only, skipping the head for the rest.</param>
    /// <param name="groups">Rows grouped by left padding (the sampler's batches): attention then covers each row's real
    /// positions only and a row's logits do not depend on the others; <paramref name="mask"/> is not used.</param>
    /// <param name="only">(N) int64 indices of positions in the flattened (B·T) batch: return (N, V) logits for those only,
    /// skipping the head elsewhere (a loss on a few positions of each row, as fine-tuning's, needs no more).</param>
    /// <param name="headRows">With a frequent-token head, return its S + 1 rows' logits (see <see cref="FrequentHead"/>)
    /// instead of expanding them to every id: the sampler works on those.</param>
    /// <returns>(B, T, V) float32 logits, (B, 1, V), or (N, V); V is <see cref="GptConfig.HeadRows"/> with <paramref name="headRows"/>.</returns>
    public Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? mask = null, KvCache? cache = null, bool lastOnly = false, RowGroups? groups = null,
        Tensor? only = null, bool headRows = false)
    {
        using var hidden = Hidden(tokens, positions, mask, cache, lastOnly, groups, only);
        using var rows = HeadLogits(hidden); // (…, HeadRows)
        var logits = headIds is null || headRows ? rows.alias() : Expand(rows);
        if (logits.dtype == ScalarType.Float32) return logits;
        using (logits) return logits.to(ScalarType.Float32);
    }

    /// <summary>
    /// Cross-entropy of each target, −log p(target), in nats over the whole vocabulary — the training loss. With a
    /// frequent-token head it never forms the (N, V) logits: a rare target costs −log p(bucket) + log(V − S).
    /// </summary>
    /// <param name="targets">(N) int64 ids: one per position of the flattened (B·T) batch, or per <paramref name="only"/> index.</param>
    /// <returns>(N) float32.</returns>
    public Tensor TokenLoss(Tensor tokens, Tensor? positions, Tensor? mask, Tensor targets, Tensor? only = null)
    {
        using var hidden = Hidden(tokens, positions, mask, cache: null, lastOnly: false, groups: null, only);
        using var flat = hidden.reshape(-1, hidden.shape[^1]); // (N, C)
        using var rows = HeadLogits(flat); // (N, HeadRows)
        using var rows32 = rows.dtype == ScalarType.Float32 ? rows.alias() : rows.to(ScalarType.Float32);
        if (headRowOf is null) return nn.functional.cross_entropy(rows32, targets, reduction: nn.Reduction.None);
        using var targetRows = headRowOf.index_select(0, targets); // (N)
        using var each = nn.functional.cross_entropy(rows32, targetRows, reduction: nn.Reduction.None);
        using var rare = targetRows.eq(headIds!.shape[0]);
        using var rareCost = rare.to(ScalarType.Float32).mul(FrequentHead!.RareLogCount);
        return each.add(rareCost);
    }

    /// <summary>The final hidden states of every position, of the last, or of the <paramref name="only"/> ones.</summary>
    private Tensor Hidden(Tensor tokens, Tensor? positions, Tensor? mask, KvCache? cache, bool lastOnly, RowGroups? groups, Tensor? only)
    {
        var steps = tokens.shape[1];
        var start = cache?.Length ?? 0;
        // With explicit positions a left-padded row may sit further right than the context; its positions do not.
        if (positions is null && start + steps > Config.Context)
        {
            throw new ArgumentException($"sequence of {start + steps} tokens is longer than the model's context ({Config.Context})");
        }
        using var defaultPositions = positions is null ? TorchScalars.Arange(start, start + steps).unsqueeze(0) : null; // (1, T)
        // New tokens appended after cached ones need an explicit causal mask: is_causal assumes T == S.
        using var offsetMask = mask is null && cache is not null && start > 0 && steps > 1 ? CausalMask(steps, start) : null; // (1, 1, T, S)
        var x = transformer.Forward(tokens, positions ?? defaultPositions!, mask ?? offsetMask, cache, groups); // (B, T, C)
        cache?.Advance((int)steps);
        if (lastOnly)
        {
            using (x) return x.narrow(1, steps - 1, 1).contiguous(); // (B, 1, C)
        }
        if (only is null) return x;
        using (x)
        {
            using var flat = x.reshape(-1, x.shape[2]); // (B·T, C)
            return flat.index_select(0, only); // (N, C)
        }
    }

    /// <summary>
    /// hidden · Wᵀ, W the head's rows: the whole embedding, or its <see cref="GptConfig.HeadTokens"/> rows and the bucket
    /// row. Without gradients and outside training the weights cannot change under us, so a float32 head reads a
    /// transposed, contiguous copy of W: the CPU's matrix multiply streams it 1.1x (batch 32) to 1.5x (batch 1) faster
    /// than the (V, C) original. The copy costs W's size once more, and is dropped as soon as a forward pass needs
    /// gradients or trains. bfloat16 gains nothing from it (0.8–1.0x), so it reads the original.
    /// </summary>
    /// <param name="hidden">(…, C)</param>
    /// <returns>(…, HeadRows)</returns>
    private Tensor HeadLogits(Tensor hidden)
    {
        if (training || is_grad_enabled() || DType != ScalarType.Float32)
        {
            DropFrozenHead();
            if (headIds is null) return nn.functional.linear(hidden, transformer.TokenEmbedding);
            using var weights = HeadWeights(); // (S + 1, C)
            return nn.functional.linear(hidden, weights);
        }
        if (frozenHead is null)
        {
            using var weights = headIds is null ? transformer.TokenEmbedding.alias() : HeadWeights();
            frozenHead = weights.t().contiguous().DetachFromDisposeScope(); // (C, HeadRows)
        }
        return hidden.matmul(frozenHead);
    }

    /// <summary>(S + 1, C): the frequent ids' embedding rows, then the bucket's row.</summary>
    private Tensor HeadWeights()
    {
        using var frequent = transformer.TokenEmbedding.index_select(0, headIds!);
        return cat([frequent, rare_head!], 0);
    }

    /// <summary>
    /// (…, S + 1) head logits to (…, V) logits over every id: each frequent id its own, each other id the bucket's
    /// minus log(V − S), so the V − S rare ids share the bucket's probability evenly and softmax over V is exact.
    /// </summary>
    private Tensor Expand(Tensor rows)
    {
        var frequentCount = headIds!.shape[0];
        var shape = rows.shape.ToArray();
        shape[^1] = Config.VocabSize;
        using var bucket = rows.narrow(-1, frequentCount, 1); // (…, 1)
        using var rare = bucket.sub(FrequentHead!.RareLogCount);
        var full = rare.expand(shape).contiguous(); // (…, V)
        using var frequent = rows.narrow(-1, 0, frequentCount);
        full.index_copy_(shape.Length - 1, headIds, frequent);
        return full;
    }

    private void DropFrozenHead()
    {
        frozenHead?.Dispose();
        frozenHead = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            frozenHead?.Dispose();
            headIds?.Dispose();
            headRowOf?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static Tensor CausalMask(long steps, long start)
    {
        using var queries = TorchScalars.Arange(start, start + steps).unsqueeze(1); // (T, 1)
        using var keys = TorchScalars.Arange(0, start + steps).unsqueeze(0); // (1, S)
        using var allowed = keys.le(queries); // (T, S)
        return allowed.view(1, 1, steps, start + steps); // (1, 1, T, S)
    }
}

/// <summary>The <c>transformer.*</c> part of GPT-2: embeddings, blocks, final LayerNorm.</summary>
internal sealed class GptTransformer : nn.Module
{
#pragma warning disable CA2213 // registered submodules: nn.Module.Dispose disposes them
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;
#pragma warning restore CA2213

    public GptTransformer(GptConfig config) : base(nameof(GptTransformer))
    {
        wte = nn.Embedding(config.VocabSize, config.Width);
        wpe = nn.Embedding(config.Context, config.Width);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.Width, config.LayerNormEpsilon, bias: config.Bias);
        RegisterComponents();
    }

    /// <summary>(V, C): the token embedding, also the output head's weight.</summary>
    public Tensor TokenEmbedding => wte.weight!;

    /// <param name="tokens">(B, T)</param>
    /// <param name="positions">(B, T) or (1, T)</param>
    /// <returns>(B, T, C) after the final LayerNorm.</returns>
    public Tensor Forward(Tensor tokens, Tensor positions, Tensor? mask, KvCache? cache, RowGroups? groups)
    {
        using var tokenEmbeddings = wte.forward(tokens); // (B, T, C)
        using var positionEmbeddings = wpe.forward(positions); // (B or 1, T, C)
        var x = tokenEmbeddings.add(positionEmbeddings, TorchScalars.One);
        if (training && drop.p > 0)
        {
            using var undropped = x;
            x = drop.forward(undropped);
        }
        for (var layer = 0; layer < h.Count; layer++)
        {
            var next = h[layer].Forward(x, mask, cache, layer, groups);
            x.Dispose();
            x = next;
        }
        using (x)
        {
            return ln_f.forward(x);
        }
    }
}
