using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// Keys and values of every layer for the positions seen so far, preallocated to <see cref="Capacity"/> so a
/// decoding step writes one slice instead of concatenating. The fast path beside full recomputation; a test
/// checks the two give the same logits.
/// </summary>
public sealed class KvCache : IDisposable
{
    private Tensor[] keys;
    private Tensor[] values;

    public KvCache(GptConfig config, int batch, int capacity, ScalarType dtype)
    {
        Capacity = capacity;
        keys = new Tensor[config.Layers];
        values = new Tensor[config.Layers];
        for (var layer = 0; layer < config.Layers; layer++)
        {
            // Uninitialised: only positions below Length are ever read, and untouched pages cost nothing.
            keys[layer] = empty(batch, config.Heads, capacity, config.HeadSize, dtype).DetachFromDisposeScope(); // (B, nh, capacity, hs)
            values[layer] = empty(batch, config.Heads, capacity, config.HeadSize, dtype).DetachFromDisposeScope(); // (B, nh, capacity, hs)
        }
    }

    /// <summary>Positions already stored (the same for every row).</summary>
    public int Length { get; private set; }

    public int Capacity { get; }

    /// <summary>Rows in the cache.</summary>
    public long Batch => keys[0].shape[0];

    /// <summary>Stores this step's keys and values of one layer and returns all keys and values so far.</summary>
    /// <param name="key">(B, nh, T, hs)</param>
    /// <param name="value">(B, nh, T, hs)</param>
    /// <returns>Views (B, nh, Length + T, hs) into the cache.</returns>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value)
    {
        var steps = key.shape[2];
        if (Length + steps > Capacity) throw new InvalidOperationException($"KV cache full: {Length} + {steps} > {Capacity}");
        keys[layer].narrow(2, Length, steps).copy_(key);
        values[layer].narrow(2, Length, steps).copy_(value);
        return (keys[layer].narrow(2, 0, Length + steps), values[layer].narrow(2, 0, Length + steps));
    }

    /// <summary>Marks <paramref name="steps"/> positions stored, after every layer appended them.</summary>
    public void Advance(int steps) => Length += steps;

    /// <summary>
    /// Rebuilds the batch from the given rows of the current one: repeating a row copies one prompt's prefill to
    /// several samples, leaving one out drops a finished row. Only the stored positions are copied.
    /// </summary>
    /// <param name="rows">(B') int64 row indices into the current batch.</param>
    public void SelectRows(Tensor rows)
    {
        for (var layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = Select(keys[layer], rows);
            values[layer] = Select(values[layer], rows);
        }
    }

    private Tensor Select(Tensor stored, Tensor rows)
    {
        using (stored)
        {
            var shape = stored.shape;
            shape[0] = rows.shape[0];
            var selected = empty(shape, stored.dtype).DetachFromDisposeScope(); // (B', nh, capacity, hs)
            using var used = stored.narrow(2, 0, Length);
            using var picked = used.index_select(0, rows);
            using var target = selected.narrow(2, 0, Length);
            target.copy_(picked);
            return selected;
        }
    }

    public void Dispose()
    {
        foreach (var tensor in keys.Concat(values)) tensor.Dispose();
        keys = [];
        values = [];
    }
}
