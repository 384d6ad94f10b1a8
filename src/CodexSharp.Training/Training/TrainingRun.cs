using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Model.Checkpoints;

namespace CodexSharp.Training.Training;

/// <summary>
/// A run's output folder: the lock that keeps a second run out, metrics.jsonl (appended and flushed per step, cut
/// back to the checkpoint on resume), the loss curve and the record (train.json or finetune.json). Refuses a folder
/// that was written with other data or settings. <c>train</c> and <c>finetune</c> share it.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    public const string MetricsFile = "metrics.jsonl";
    public const string PlotFile = "loss.svg";

    private readonly JournalFile journal;
    private readonly string recordFile;
    private readonly List<(int Step, double Loss)> trainLosses = [];
    private readonly List<(int Step, double Loss)> validationLosses = [];

    private TrainingRun(string directory, string recordFile, JournalFile journal, DateTimeOffset started)
    {
        Directory = directory;
        this.recordFile = recordFile;
        this.journal = journal;
        Started = started;
    }

    public string Directory { get; }

    /// <summary>When the run (its first part, for a resumed run) started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Validation losses kept from earlier parts of the run and added since, in step order.</summary>
    public IReadOnlyList<(int Step, double Loss)> ValidationLosses => validationLosses;

    /// <summary>Opens (creates) <paramref name="directory"/> for a run whose record is <paramref name="recordFile"/>.</summary>
    /// <param name="dataSha256">Names the data: a re-run with other data is refused.</param>
    /// <param name="dataFlag">How the user named the data, for messages (e.g. "--data corpus/").</param>
    /// <param name="identity">The settings a re-run must share (see <see cref="TrainingConfig.Identity"/>).</param>
    /// <param name="command">The command that writes such folders, for messages ("train", "finetune").</param>
    public static TrainingRun Open(string directory, string recordFile, string dataSha256, string dataFlag,
        IReadOnlyList<(string Name, string Value)> identity, string command)
    {
        if (File.Exists(directory)) throw new UserInputException($"--out {directory}: a file is in the way; expected a folder");
        OutputFiles.Guard(directory, () => System.IO.Directory.CreateDirectory(directory));
        var recordPath = Path.Combine(directory, recordFile);
        var journal = JournalFile.Open(Path.Combine(directory, MetricsFile), Path.Combine(directory, MetricsFile));
        try
        {
            var started = DateTimeOffset.UtcNow;
            if (File.Exists(recordPath)) started = CheckSameRun(recordPath, dataSha256, dataFlag, identity);
            else if (new[] { LocalCheckpoint.ConfigFile, LocalCheckpoint.WeightsFile, TrainingCheckpoint.StateFile }.Any(f => File.Exists(Path.Combine(directory, f))))
                throw new UserInputException($"--out {directory}: holds a checkpoint that no {command} run wrote (no {recordFile}); write into another folder, or start from it with --init local:{directory}");
            return new TrainingRun(directory, recordFile, journal, started);
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>Cuts metrics.jsonl back to the rows of steps up to <paramref name="step"/> (what the checkpoint holds; -1 keeps none).</summary>
    public void StartJournal(int step)
    {
        var keep = 0;
        foreach (var line in journal.Lines)
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var rowStep = row["step"]!.GetValue<int>();
            if (rowStep > step) break;
            keep++;
            if (row["train_loss"] is { } train) trainLosses.Add((rowStep, train.GetValue<double>()));
            if (row["val_loss"] is { } validation) validationLosses.Add((rowStep, validation.GetValue<double>()));
        }
        journal.KeepFirst(keep);
    }

    public void AppendStep(StepReport step)
    {
        trainLosses.Add((step.Step, step.TrainLoss));
        journal.Append(JsonSerializer.Serialize(new JsonObject
        {
            ["step"] = step.Step, ["tokens"] = step.Tokens, ["lr"] = step.LearningRate, ["train_loss"] = step.TrainLoss,
            ["grad_norm"] = double.IsFinite(step.GradientNorm) ? step.GradientNorm : null,
            ["tokens_per_s"] = Math.Round(step.TokensPerSecond, 1), ["mfu"] = Math.Round(step.Mfu, 4),
        }));
    }

    /// <summary>Appends the validation row and redraws the loss curve.</summary>
    public void AppendValidation(int step, long tokens, double loss)
    {
        validationLosses.Add((step, loss));
        journal.Append(JsonSerializer.Serialize(new JsonObject { ["step"] = step, ["tokens"] = tokens, ["val_loss"] = loss }));
        LossCurve.Write(Path.Combine(Directory, PlotFile), trainLosses, validationLosses);
    }

    public void FinishJournal() => LossCurve.Write(Path.Combine(Directory, PlotFile), trainLosses, validationLosses);

    /// <summary>Writes the record atomically, with the run's start time, update time and identity added.</summary>
    public void WriteRecord(JsonObject record, IReadOnlyList<(string Name, string Value)> identity, string dataSha256)
    {
        record["started_utc"] = Started.ToString("O", CultureInfo.InvariantCulture);
        record["updated_utc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var names = new JsonObject();
        foreach (var (name, value) in identity) names[name] = value;
        record["identity"] = names;
        record["data_sha256"] = dataSha256;
        AtomicFile.WriteAllText(Path.Combine(Directory, recordFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    public void Dispose() => journal.Dispose();

    /// <summary>Throws when the record says the folder holds another run; returns when that run started.</summary>
    private static DateTimeOffset CheckSameRun(string recordPath, string dataSha256, string dataFlag, IReadOnlyList<(string Name, string Value)> identity)
    {
        JsonObject record;
        try
        {
            record = JsonNode.Parse(File.ReadAllText(recordPath))?.AsObject() ?? throw new UserInputException($"{recordPath}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw UserInputException.At(recordPath, (e.LineNumber ?? 0) + 1, e.Path, e.Message);
        }
        var directory = Path.GetDirectoryName(recordPath)!;
        var recordedData = (record["data_sha256"] ?? record["data"]?["manifest_sha256"])?.GetValue<string>();
        if (recordedData != dataSha256)
        {
            throw new UserInputException($"--out {directory}: was trained on other data (SHA-256 {recordedData?[..12]}…, {dataFlag} has {dataSha256[..12]}…); use another --out, or the same data to continue");
        }
        var recorded = record["identity"]?.AsObject();
        foreach (var (name, value) in identity)
        {
            var before = recorded?[name]?.GetValue<string>();
            if (before != value)
            {
                throw new UserInputException($"--out {directory}: was written with {name} {before ?? "(unset)"}, this run has {name} {value}; use another --out, or the same settings to continue");
            }
        }
        return DateTimeOffset.TryParse(record["started_utc"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started)
            ? started : DateTimeOffset.UtcNow;
    }
}
