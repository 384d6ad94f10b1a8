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

    public static int OpenDescriptorsOfThisProcess() => Directory.GetFiles("/proc/self/fd").Length;

    public static IReadOnlyList<string> ZombieChildrenOfThisProcess() =>
        DescendantsOf(Environment.ProcessId).Where(description => description.EndsWith("[Z]", StringComparison.Ordinal)).ToList();
}
