namespace CodexSharp.Model.Modeling;

/// <summary>
/// How the rows of a left-padded batch are laid out: consecutive rows that share a padding form one group, and
/// attention of a group only ever sees its rows' real positions (<see cref="CausalSelfAttention"/>). A row then
/// computes exactly what it computes alone, bit for bit, whatever its neighbours' prompt lengths are.
/// </summary>
public sealed class RowGroups
{
    private RowGroups(IReadOnlyList<(int Start, int Count, int Pad)> groups) => Groups = groups;

    /// <summary>Runs of consecutive rows with the same padding: first row, number of rows, padding positions.</summary>
    public IReadOnlyList<(int Start, int Count, int Pad)> Groups { get; }

    /// <summary>Groups the rows of a batch by their left padding (one entry per row).</summary>
    public static RowGroups FromPads(IReadOnlyList<long> pads)
    {
        var groups = new List<(int Start, int Count, int Pad)>();
        var start = 0;
        for (var row = 1; row <= pads.Count; row++)
        {
            if (row < pads.Count && pads[row] == pads[start]) continue;
            groups.Add((start, row - start, (int)pads[start]));
            start = row;
        }
        return new RowGroups(groups);
    }
}
