using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// Programs that try to outlive their time limit or their verdict. The limit is enforced from outside the
/// program, and when a verdict comes back nothing the program started is still running.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TimeLimitEscapeTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("import signal\nfor s in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):\n    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")]
    [InlineData("while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass")]
    [InlineData("import time\nwhile True:\n    try:\n        time.sleep(10)\n    except BaseException:\n        pass")]
    [InlineData("import threading\ndef spin():\n    while True:\n        pass\nfor _ in range(4):\n    threading.Thread(target=spin).start()\nthreading.Event().wait()")]
    public async Task Ignoring_or_catching_everything_still_times_out(string program)
    {
        var result = await sandbox.RunAsync(program, SandboxFixture.ShortTimeout);
        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.Equal("timed out", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("import threading, time\ndef linger():\n    while True:\n        time.sleep(0.01)\nthreading.Thread(target=linger).start()")]
    [InlineData("import posix, time\nif posix.fork() == 0:\n    posix.setsid()\n    if posix.fork() == 0:\n        while True:\n            time.sleep(0.01)\n    posix._exit(0)")]
    [InlineData("import posix, time\nfor _ in range(5):\n    if posix.fork() == 0:\n        posix.setsid()\n        while True:\n            time.sleep(0.01)")]
    [InlineData("import subprocess\nsubprocess._USE_POSIX_SPAWN = False\nimport importlib, sys\ndel sys.modules['subprocess']\nsp = importlib.import_module('subprocess')\nsp.Popen(['/bin/sh', '-c', 'setsid sleep 1000 & sleep 1000'], start_new_session=True)")]
    public async Task Processes_and_threads_a_program_leaves_behind_are_gone_with_its_verdict(string program)
    {
        var result = await sandbox.RunAsync(program + "\nassert True\n");
        Assert.Equal("passed", result.Result);
        // Checked from the host, where the sandbox cannot hide anything: the verdict came back only after
        // everything the program started was killed and reaped.
        Assert.All(sandbox.Runner.WorkerProcessIds, SandboxFixture.AssertOnlyTheWorkerIsLeft);
        await sandbox.AssertHealthyAsync();
    }
}
