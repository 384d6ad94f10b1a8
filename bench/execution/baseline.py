"""The floors the sandboxed runner is measured against. Reads {"program": ...} rows from a JSONL file.

  baseline.py FILE                      exec() every program one after another in this one process, no isolation
  baseline.py --fork-floor LANE LANES FILE
                                        a fork per program (every LANES-th program from LANE on): the parent
                                        compiles, forks, the child exec()s the program and _exits, the parent
                                        waits; no sandbox, no .NET. Run LANES of these at once.
  baseline.py --fork2-floor LANE LANES FILE
                                        two forks per program, as a run judged apart needs: the first child
                                        exec()s the program, the second only _exits; the parent waits for both
  baseline.py --spawn-floor N           posix_spawn("/bin/true") N times: no Python in the child at all

Each prints one JSON line: seconds spent in the loop, programs, and how many raised.
"""
import gc
import json
import os
import sys
import time


def read_programs(path):
    with open(path, encoding="utf-8") as rows:
        return [json.loads(line)["program"] for line in rows]


def exec_loop(programs):
    raised = 0
    for program in programs:
        try:
            exec(program, {})
        except BaseException:  # noqa: B036 - the baseline only counts
            raised += 1
    return raised


def fork_loop(programs):
    gc.collect()
    gc.freeze()  # as the worker does: children then do not copy the parent's objects when they collect
    raised = 0
    for program in programs:
        code = compile(program, "<string>", "exec")
        pid = os.fork()
        if pid == 0:
            try:
                exec(code, {})
                os._exit(0)
            except BaseException:  # noqa: B036
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        raised += status != 0
    return raised


def fork2_loop(programs):
    gc.collect()
    gc.freeze()
    raised = 0
    for program in programs:
        code = compile(program, "<string>", "exec")
        first = os.fork()
        if first == 0:
            try:
                exec(code, {})
                os._exit(0)
            except BaseException:  # noqa: B036
                os._exit(1)
        second = os.fork()
        if second == 0:
            os._exit(0)
        _, status = os.waitpid(first, 0)
        os.waitpid(second, 0)
        raised += status != 0
    return raised


def spawn_loop(count):
    for _ in range(count):
        os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)
    return 0


if sys.argv[1] == "--spawn-floor":
    work, run = int(sys.argv[2]), spawn_loop
elif sys.argv[1] == "--fork2-floor":
    lane, lanes = int(sys.argv[2]), int(sys.argv[3])
    work, run = read_programs(sys.argv[4])[lane::lanes], fork2_loop
elif sys.argv[1] == "--fork-floor":
    lane, lanes = int(sys.argv[2]), int(sys.argv[3])
    work, run = read_programs(sys.argv[4])[lane::lanes], fork_loop
else:
    work, run = read_programs(sys.argv[1]), exec_loop
started = time.perf_counter()
raised = run(work)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "programs": work if isinstance(work, int) else len(work), "raised": raised}))
