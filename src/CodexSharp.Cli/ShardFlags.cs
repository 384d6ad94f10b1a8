using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Sharding;

namespace CodexSharp.Cli;

/// <summary><c>--shard I/N</c> and <c>--shards N</c> (with a Slurm array's or an Indexed Job's index): which part of the work a run takes.</summary>
internal sealed class ShardFlags
{
    public Option<string?> Shard { get; } = new("--shard") { Description = "Do shard I of N (0-based, e.g. 0/4): whole tasks, balanced; written to NAME.shard-I-of-N.jsonl for `merge`. Without it, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX is used with --shards N." };

    public Option<int?> Shards { get; } = new("--shards") { Description = "The number of shards when the index comes from SLURM_ARRAY_TASK_ID (default: SLURM_ARRAY_TASK_COUNT) or JOB_COMPLETION_INDEX." };

    public void AddTo(Command command)
    {
        command.Options.Add(Shard);
        command.Options.Add(Shards);
    }

    /// <summary>The shard this run takes (and says so on stderr), or null for the whole run.</summary>
    /// <exception cref="UserInputException">A value is malformed or out of range; the message names the flag or variable.</exception>
    public ShardChoice? Bind(ParseResult parse)
    {
        ShardChoice? choice;
        try
        {
            choice = ShardSelection.Resolve(parse.GetValue(Shard), parse.GetValue(Shards), Environment.GetEnvironmentVariable);
        }
        catch (ConfigException e)
        {
            throw MapToFlag(e);
        }
        if (choice is not null) Console.Error.WriteLine(choice.Describe());
        return choice;
    }

    /// <summary>A shard error from a library (field <c>shard</c> or <c>shards</c>) as the flag's error.</summary>
    public static UserInputException MapToFlag(ConfigException e) => new($"--{e.Field}: {e.Reason}");
}
