using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Checkpoints;

/// <summary>Copies named tensors from safetensors files into a model's parameters, checking names and shapes.</summary>
internal static class WeightLoading
{
    /// <param name="model">The model whose parameters are overwritten.</param>
    /// <param name="files">Open files; each parameter is looked up in all of them.</param>
    /// <param name="keyFor">Maps a model parameter name to the name it has in the files (candidates tried in order).</param>
    /// <param name="transposed">Parameter names whose stored layout is (in, out) and must be transposed.</param>
    /// <param name="ignored">File tensor names that are allowed to stay unused.</param>
    public static void Load(GptModel model, IReadOnlyList<SafeTensorsFile> files, Func<string, IEnumerable<string>> keyFor,
        Func<string, bool> transposed, Func<string, bool> ignored)
    {
        var source = string.Join(", ", files.Select(f => f.Path));
        var owners = new Dictionary<string, SafeTensorsFile>();
        foreach (var file in files)
        {
            foreach (var name in file.Names) owners.TryAdd(name, file);
        }
        var used = new HashSet<string>();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var key = keyFor(name).FirstOrDefault(owners.ContainsKey)
                      ?? throw new UserInputException($"{source}: no tensor for parameter '{name}' (looked for {string.Join(", ", keyFor(name))})");
            var file = owners[key];
            var storedShape = file.ShapeOf(key);
            var transpose = transposed(name);
            var expected = transpose ? parameter.shape.Reverse().ToArray() : parameter.shape;
            if (!storedShape.SequenceEqual(expected))
            {
                throw new UserInputException($"{file.Path}: tensor '{key}': field 'shape': expected [{string.Join(", ", expected)}] for this config, found [{string.Join(", ", storedShape)}]");
            }
            using var stored = file.Get(key);
            using var oriented = transpose ? stored.t() : stored.alias();
            parameter.copy_(oriented);
            used.Add(key);
        }
        var unused = owners.Keys.Where(k => !used.Contains(k) && !ignored(k)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
        {
            throw new UserInputException($"{source}: tensors not used by the model (wrong config?): {string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", …" : "")}");
        }
    }
}
