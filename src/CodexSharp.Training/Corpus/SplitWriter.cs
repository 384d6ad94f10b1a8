using System.Runtime.InteropServices;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// Appends files' tokens, each followed by &lt;|endoftext|&gt;, to the train or val token file. The last file
/// is held back until <see cref="Finish"/>: if one split would otherwise be empty, that file goes there, so any
/// corpus of two or more files has both a training and a validation split (unless the val fraction is 0).
/// </summary>
internal sealed class SplitWriter : IDisposable
{
    private readonly FileStream _train;
    private readonly FileStream _validation;
    private readonly ushort _endOfText;
    private readonly bool _fillEmptySplit;
    private (ushort[] Tokens, long Bytes, bool Validation)? _held;
    private long _trainFiles, _trainBytes, _trainTokens, _valFiles, _valBytes, _valTokens;

    public SplitWriter(string trainPath, string validationPath, ushort endOfText, bool fillEmptySplit)
    {
        _endOfText = endOfText;
        _fillEmptySplit = fillEmptySplit;
        _train = new FileStream(trainPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        try
        {
            _validation = new FileStream(validationPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch
        {
            _train.Dispose();
            throw;
        }
    }

    /// <summary>Files written or held.</summary>
    public long Files => _trainFiles + _valFiles + (_held is null ? 0 : 1);

    /// <summary>Tokens written or held (end-of-text ids included).</summary>
    public long Tokens => _trainTokens + _valTokens + (_held is { } h ? h.Tokens.Length + 1 : 0);

    public CorpusSplit Train => new("", _trainFiles, _trainBytes, _trainTokens);
    public CorpusSplit Validation => new("", _valFiles, _valBytes, _valTokens);

    /// <summary>Adds one file's tokens (<paramref name="bytes"/>: its size in the source) to the split chosen for it.</summary>
    public void Add(ushort[] tokens, long bytes, bool validation)
    {
        if (_held is { } held) Write(held.Tokens, held.Bytes, held.Validation);
        _held = (tokens, bytes, validation);
    }

    /// <summary>Writes the held file (to an empty split, if one is empty) and flushes both files to disk.</summary>
    public void Finish()
    {
        if (_held is { } held)
        {
            var validation = !_fillEmptySplit ? held.Validation
                : _valFiles == 0 && _trainFiles > 0 ? true
                : _trainFiles == 0 && _valFiles > 0 ? false
                : held.Validation;
            Write(held.Tokens, held.Bytes, validation);
            _held = null;
        }
        _train.Flush(flushToDisk: true);
        _validation.Flush(flushToDisk: true);
    }

    private void Write(ushort[] tokens, long bytes, bool validation)
    {
        var stream = validation ? _validation : _train;
        stream.Write(MemoryMarshal.AsBytes(tokens.AsSpan()));
        stream.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<ushort>(in _endOfText)));
        if (validation)
        {
            _valFiles++;
            _valBytes += bytes;
            _valTokens += tokens.Length + 1;
        }
        else
        {
            _trainFiles++;
            _trainBytes += bytes;
            _trainTokens += tokens.Length + 1;
        }
    }

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
    }
}
