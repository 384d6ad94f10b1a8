using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Resilience;

/// <summary>A generator that wraps another one and passes everything it does not change through.</summary>
public abstract class DelegatingCodeGenerator(ICodeGenerator inner) : ICodeGenerator
{
    protected ICodeGenerator Inner { get; } = inner;

    public virtual string ModelName => Inner.ModelName;

    public virtual Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default) =>
        Inner.GenerateAsync(request, cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
    }
}
