namespace CodexSharp.Execution.Tests;

/// <summary>The host's view of processes, read from /proc: what a sandbox cannot hide from its host.</summary>
public static class HostProcesses
{
    public static IReadOnlyList<string> DescendantsOf(int root)
    {
        var parents = new Dictionary<int, (int Parent, string Description)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                parents[pid] = (int.Parse(fields[1]), $"{pid} {stat[(stat.IndexOf('(') + 1)..close]} [{fields[0]}]");
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }
        var found = new List<string>();
        var frontier = new Stack<int>([root]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Pop();
            foreach (var (pid, info) in parents.Where(entry => entry.Value.Parent == parent))
            {
                found.Add(info.Description);
                frontier.Push(pid);
            }
        }
        return found;
    }

    /// <summary>The worker inside a bubblewrap process, seen from the host (for stopping or killing it from outside).</summary>
    public static int WorkerInside(int bubblewrapPid)
    {
        var children = File.ReadAllText($"/proc/{bubblewrapPid}/task/{bubblewrapPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(Assert.Single(children));
    }

    /// <summary>A process id with its start time, so that a reused id is not mistaken for the same process.</summary>
    public readonly record struct Identity(int Pid, string StartTime);

    public static Identity Identify(int pid) => new(pid, StartTimeOf(pid) ?? throw new InvalidOperationException($"process {pid} is gone"));

    /// <summary>True while the process exists in any state, zombie included.</summary>
    public static bool StillExists(Identity process) => StartTimeOf(process.Pid) == process.StartTime;

    private static string? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static int OpenDescriptorsOfThisProcess() => Directory.GetFiles("/proc/self/fd").Length;

    public static IReadOnlyList<string> ZombieChildrenOfThisProcess() =>
        DescendantsOf(Environment.ProcessId).Where(description => description.EndsWith("[Z]", StringComparison.Ordinal)).ToList();
}
