namespace CodexSharp.Training.Corpus;

/// <summary>
/// Finds benchmark text in a source file in one pass. Every window of <c>W</c> characters of every benchmark
/// docstring, and the first window of every canonical solution, goes into a hash table; a file (whitespace
/// collapsed by <see cref="WhitespaceNormalizer"/>) is scanned with a rolling polynomial hash of its windows,
/// a bit filter turns away almost every position with one memory read, and a hit is confirmed by comparing
/// the characters (and, for a solution, the whole solution from there). Cost: linear in the file's length,
/// whatever the number of benchmark problems.
/// </summary>
internal sealed class ContaminationIndex
{
    private const ulong Base = 1_000_003;
    private const int FilterBits = 1 << 24;

    private readonly int _window;
    private readonly ulong _basePower;  // Base^(W-1): the weight of the character leaving the window
    private readonly ulong[] _filter = new ulong[FilterBits / 64];
    private readonly Dictionary<ulong, List<string>> _docstringWindows = [];
    private readonly Dictionary<ulong, List<string>> _solutionsByAnchor = [];

    public ContaminationIndex(int window, int minSolutionChars, IEnumerable<BenchmarkFile> benchmarks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSolutionChars, window);
        _window = window;
        _basePower = 1;
        for (var i = 1; i < window; i++) _basePower *= Base;
        var facts = new List<BenchmarkFileFacts>();
        foreach (var file in benchmarks)
        {
            int windows = 0, used = 0, tooShort = 0;
            foreach (var problem in file.Problems)
            {
                foreach (var docstring in problem.Docstrings)
                {
                    var text = WhitespaceNormalizer.Normalize(docstring);
                    for (var start = 0; start + window <= text.Length; start++)
                    {
                        Add(_docstringWindows, text.Substring(start, window));
                        windows++;
                    }
                }
                var solution = WhitespaceNormalizer.Normalize(problem.Solution);
                if (solution.Length < minSolutionChars)
                {
                    tooShort++;
                    continue;
                }
                Add(_solutionsByAnchor, solution[..window], solution);
                used++;
            }
            facts.Add(new BenchmarkFileFacts(file.Path, Path.GetFileName(file.Path), file.Sha256, file.Format, file.Problems.Count, windows, used, tooShort));
        }
        Facts = facts;
    }

    /// <summary>What was read from each benchmark file, for the manifest.</summary>
    public IReadOnlyList<BenchmarkFileFacts> Facts { get; }

    /// <summary>True when <paramref name="normalized"/> (whitespace collapsed) holds a docstring window or a whole solution.</summary>
    public bool Contains(string normalized)
    {
        var n = normalized.Length;
        if (n < _window) return false;
        var hash = 0UL;
        for (var i = 0; i < _window; i++) hash = hash * Base + normalized[i];
        for (var start = 0; ; start++)
        {
            if (MayHold(hash) && Confirm(normalized, start, hash)) return true;
            if (start + _window >= n) return false;
            hash = (hash - normalized[start] * _basePower) * Base + normalized[start + _window];
        }
    }

    private bool Confirm(string text, int start, ulong hash)
    {
        var window = text.AsSpan(start, _window);
        if (_docstringWindows.TryGetValue(hash, out var windows))
        {
            foreach (var w in windows)
            {
                if (window.SequenceEqual(w)) return true;
            }
        }
        if (!_solutionsByAnchor.TryGetValue(hash, out var solutions)) return false;
        var rest = text.AsSpan(start);
        foreach (var solution in solutions)
        {
            if (rest.StartsWith(solution, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private bool MayHold(ulong hash)
    {
        var bit = (int)(hash >> 40) & (FilterBits - 1);
        return (_filter[bit >> 6] & (1UL << bit)) != 0;
    }

    private void Add(Dictionary<ulong, List<string>> table, string window, string? value = null)
    {
        value ??= window;
        var hash = 0UL;
        foreach (var c in window) hash = hash * Base + c;
        var bit = (int)(hash >> 40) & (FilterBits - 1);
        _filter[bit >> 6] |= 1UL << bit;
        if (!table.TryGetValue(hash, out var list)) table[hash] = list = [];
        if (!list.Contains(value)) list.Add(value);
    }
}
