using System.Collections.Concurrent;
using System.Diagnostics;

namespace CodexSharp.Execution.Sandbox;

/// <summary>
/// Starts worker processes from one thread that lives as long as this process.
/// bubblewrap's --die-with-parent is PR_SET_PDEATHSIG, which Linux ties to the parent *thread*: a worker
/// started from a thread-pool thread is killed as soon as the pool retires that idle thread (about 20 s
/// later), in the middle of whatever program it is running. Starting every worker here avoids that, and the
/// sandboxes still die with this process.
/// </summary>
internal static class LauncherThread
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Requests = new();

    static LauncherThread()
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "sandbox worker launcher" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="info"/> on the launcher thread.</summary>
    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((info, started));
        return started.Task;
    }

    private static void Serve()
    {
        foreach (var (info, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(info) ?? throw new InvalidOperationException("Could not start " + info.FileName));
            }
            catch (Exception error)
            {
                started.SetException(error);
            }
        }
    }
}
