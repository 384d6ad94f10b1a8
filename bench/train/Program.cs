using CodexSharp.Training.Benchmarks;

// Usage: dotnet run -c Release --project bench/train -- mfu [--preset 30m] [--steps 6] [--batch-tokens T] [--block-size B]
//        [--micro-batch R] [--data CORPUS_DIR] [--bf16]
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "mfu";
string? Flag(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
// Before anything touches libtorch: allocator and OpenMP settings (see TorchRuntime).
CodexSharp.Model.TorchRuntime.EnsureInitialized();
if (mode != "mfu")
{
    Console.Error.WriteLine($"unknown mode '{mode}' (expected: mfu)");
    return 2;
}
return TrainingThroughput.Run(new TrainingThroughput.Options(
    Flag("--preset") ?? "30m",
    int.Parse(Flag("--steps") ?? "6", System.Globalization.CultureInfo.InvariantCulture),
    Flag("--batch-tokens") is { } t ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : null,
    Flag("--block-size") is { } b ? int.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : null,
    Flag("--micro-batch") is { } m ? int.Parse(m, System.Globalization.CultureInfo.InvariantCulture) : null,
    Flag("--data"),
    args.Contains("--bf16")));
